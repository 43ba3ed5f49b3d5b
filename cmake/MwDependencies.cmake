# Third-party libraries, all from Debian's packages (scripts/install-deps installs them).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)          # SHA-256 (uses SHA-NI itself), TLS
find_package(PkgConfig REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)   # BIP340 Schnorr signatures
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)             # capture files, live capture
find_package(SQLite3 REQUIRED)             # block store, center store
find_package(nlohmann_json 3 REQUIRED)     # JSON for RPC, events, Stratum
find_package(CLI11 CONFIG QUIET)           # command lines (header only)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)   # standalone Asio (header only)
add_library(mw_asio INTERFACE)
target_include_directories(mw_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(mw_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(mw_asio INTERFACE Threads::Threads)
add_library(mw::asio ALIAS mw_asio)

if(NOT MW_FUZZ)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  if(MW_BUILD_BENCH)
    find_package(benchmark REQUIRED)
  endif()
endif()
