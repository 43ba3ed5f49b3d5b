# ASan + UBSan for the whole build when MW_SANITIZE is on (the `dev` preset).
if(MW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(MW_SANITIZED=1)  # code that leaves memory to the OS at exit frees it
endif()
if(MW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MW_FUZZ needs clang (use the `fuzz` preset)")
  endif()
  # Instrument every library for coverage; the fuzz targets add -fsanitize=fuzzer at link time.
  # Undefined behaviour stops the fuzzer (with the input saved), as ASan errors do: recovered, it
  # was only a line in the log.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(MW_SANITIZED=1)
endif()
