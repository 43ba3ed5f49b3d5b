# Warning flags for every target of ours (third-party headers are included as SYSTEM).
add_library(mw_warnings INTERFACE)
target_compile_options(mw_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports impossible overlaps in inlined std::string copies at -O3 (GCC bug 105329).
  target_compile_options(mw_warnings INTERFACE -Wno-restrict)
endif()
if(MW_WERROR)
  target_compile_options(mw_warnings INTERFACE -Werror)
endif()
