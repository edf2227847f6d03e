# dirmail_library(NAME SOURCES ... DEPS ...): a static library whose public headers
# live in include/dirmail/<name>/ beside its sources.
function(dirmail_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(dirmail_${name} STATIC ${ARG_SOURCES})
  add_library(dirmail::${name} ALIAS dirmail_${name})
  target_include_directories(dirmail_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(dirmail_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
