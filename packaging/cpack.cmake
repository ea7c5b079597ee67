# The Debian package, built by `cpack` from the install rules of the
# `cgjob-tools` component (see CMakeLists.txt beside this file).

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${CGJOB_PACKAGE_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "cgjob")
set(CGJOB_PACKAGE_MAINTAINER
    "cgjob maintainers <maintainers@users.noreply.h-seed-f215dd5b.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${CGJOB_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CGJOB_PACKAGE_MAINTAINER}")

# Only the tools' own component goes into the package.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};${CMAKE_PROJECT_NAME};${CGJOB_COMPONENT};/")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "job control over the Linux cgroup freezer")
# The extended description; CPack puts the summary above it and indents each
# line by one space (lines that start with a space become verbatim ones).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Three small tools that treat a cgroup as a job, on the cgroup v2 freezer
or the cgroup v1 freezer controller:
 - cgfreeze creates jobs, starts commands or moves processes into them,
   and freezes and thaws them, waiting until the kernel is done;
 - cgkill signals every process of a job once, race-free against forks,
   and can escalate to SIGKILL;
 - cgstat reports the freezer state and processes of jobs, as a table or
   JSON, and can watch them change.
Man pages and bash, zsh and fish completions are included.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Static tools need no shared library at run time, hence no Depends.
if(CGJOB_STATIC)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# -w/--nodes runs the node fan-out (Python on ClusterShell, over ssh); the
# tools work without it (lintian-overrides-nodes).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3-clustershell, openssh-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "jq")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)

include(CPack)
