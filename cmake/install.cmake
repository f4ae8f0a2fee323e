# cmake --install: public headers (include/lcl only), liblcl.a and liblcl.so, the CMake package
# (find_package(lcl 0.2) -> lcl::lcl, lcl::lcl_shared) and lcl.pc for pkg-config.
include(CMakePackageConfigHelpers)
set(LCL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lcl)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lcl ${LCL_GENERATED_INCLUDE}/lcl
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(TARGETS ${LCL_PUBLIC_TARGETS} EXPORT lclTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT lclTargets NAMESPACE lcl:: DESTINATION ${LCL_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/lclConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/lclConfig.cmake INSTALL_DESTINATION ${LCL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lclConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lclConfig.cmake ${PROJECT_BINARY_DIR}/lclConfigVersion.cmake
        DESTINATION ${LCL_CMAKE_DIR})
# lcl.pc names its prefix relative to its own folder, so the installed tree can move (and
# `cmake --install --prefix` anywhere still gives a working .pc file).
file(RELATIVE_PATH LCL_PC_PREFIX_FROM_PCDIR ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/lcl.pc.in ${PROJECT_BINARY_DIR}/lcl.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lcl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
