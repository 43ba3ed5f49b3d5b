# Warning flags for every target of ours (third-party headers are included as SYSTEM).
add_library(mw_warnings INTERFACE)
target_compile_options(mw_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2)
if(MW_WERROR)
  target_compile_options(mw_warnings INTERFACE -Werror)
endif()
