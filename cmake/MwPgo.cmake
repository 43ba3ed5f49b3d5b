# Profile-guided optimisation with GCC, in two builds (scripts/pgo-train drives them; `make build`
# calls it):
#   MW_PGO_GENERATE=DIR  instrumented build (the `pgo-generate` preset, build-pgo/): each run of a
#                        binary adds its counts to DIR/<object path with '#' for '/'>.gcda.
#   MW_PGO_USE=DIR       optimised build (build/): compiles with the counts in DIR.
# -fprofile-prefix-path makes the .gcda names relative to each build tree, so that the two trees
# find the same files. Code the training never ran (tests, minelab, the agent's collectors) is
# compiled as without a profile (-fprofile-partial-training), not shrunk as cold.
set(MW_PGO_GENERATE "" CACHE PATH
    "Instrument for profile-guided optimisation; profiles go to this directory")
set(MW_PGO_USE "" CACHE PATH
    "Optimise with the profiles in this directory (made by an MW_PGO_GENERATE build)")

if(MW_PGO_GENERATE OR MW_PGO_USE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 11)
    message(FATAL_ERROR "MW_PGO_GENERATE/MW_PGO_USE need GCC 11 or newer "
                        "(found ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION})")
  endif()
  if(MW_SANITIZE OR MW_FUZZ)
    message(FATAL_ERROR
            "profile-guided optimisation is for release builds, not with MW_SANITIZE or MW_FUZZ")
  endif()
endif()

if(MW_PGO_GENERATE AND MW_PGO_USE)
  message(FATAL_ERROR "set MW_PGO_GENERATE or MW_PGO_USE, not both")
elseif(MW_PGO_GENERATE)
  message(STATUS "PGO: instrumented build, profiles to ${MW_PGO_GENERATE}")
  # One thread writes the counters in the training runs: no atomics needed.
  add_compile_options(-fprofile-generate=${MW_PGO_GENERATE} -fprofile-prefix-path=${CMAKE_BINARY_DIR}
                      -fprofile-update=single)
  add_link_options(-fprofile-generate=${MW_PGO_GENERATE})
elseif(MW_PGO_USE)
  file(GLOB mw_pgo_profiles "${MW_PGO_USE}/*.gcda")
  if(NOT mw_pgo_profiles)
    message(FATAL_ERROR "MW_PGO_USE=${MW_PGO_USE}: no .gcda profiles there (run scripts/pgo-train)")
  endif()
  list(LENGTH mw_pgo_profiles mw_pgo_count)
  message(STATUS "PGO: optimising with ${mw_pgo_count} profiles from ${MW_PGO_USE}")
  # A source edited after training gets a warning, not an error: its profile is ignored until
  # scripts/pgo-train runs again. GCC 12's flow-based warnings (the ones MwWarnings already
  # quiets for -Wrestrict) follow the inlining, which follows the profile: inside libstdc++'s
  # vector::insert they come and go with the training. They stay warnings here; the asan
  # build still makes them errors.
  add_compile_options(-fprofile-use=${MW_PGO_USE} -fprofile-prefix-path=${CMAKE_BINARY_DIR}
                      -fprofile-partial-training -Wno-missing-profile -Wno-error=coverage-mismatch
                      -Wno-error=stringop-overflow -Wno-error=stringop-overread
                      -Wno-error=array-bounds -Wno-error=maybe-uninitialized
                      -Wno-error=null-dereference)
endif()
