# Helpers shared by the layer CMakeLists.

# dhcpsim_layer(NAME DEPS...): a static library from every .cpp in sim/<NAME>/, with the
# public headers in include/. Sources are globbed (CONFIGURE_DEPENDS) so adding a file
# needs no CMake edit.
function(dhcpsim_layer name)
  file(GLOB _srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/sim/${name}/*.cpp)
  if(_srcs)
    add_library(dhcpsim_${name} STATIC ${_srcs})
    target_include_directories(dhcpsim_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
    target_compile_options(dhcpsim_${name} PRIVATE ${DHCPSIM_WARNINGS})
    target_link_libraries(dhcpsim_${name} PUBLIC ${ARGN})
  else()
    add_library(dhcpsim_${name} INTERFACE)
    target_include_directories(dhcpsim_${name} INTERFACE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(dhcpsim_${name} INTERFACE ${ARGN})
  endif()
  add_library(dhcpsim::${name} ALIAS dhcpsim_${name})
endfunction()
