# Compiler settings shared by every target: ccache, warnings, sanitizers.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_compile_options(-Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wno-missing-field-initializers)
# -Wshadow=local is GCC's; clang (the fuzz build) has no such spelling and would refuse it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wshadow=local)
endif()
if(DIRMAIL_WERROR)
  add_compile_options(-Werror)
endif()

if(DIRMAIL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # clang 14's -fsanitize=function cannot instrument C++20 coroutines (the assembler
    # fails: "Cannot represent a difference across sections"); the GCC build keeps it.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()

if(DIRMAIL_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Asio is compiled once (src/net/asio_impl.cpp) instead of in every translation unit.
add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED
                        SPDLOG_FMT_EXTERNAL)
