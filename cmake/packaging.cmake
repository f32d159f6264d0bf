# What `cmake --install` puts on a machine and how CPack wraps it into a Debian package:
# the daemon, its systemd unit, the example configuration, the Prometheus rules, the Grafana
# dashboard and the documentation. The simulator, the benchmarks and the tests are development
# tools and are never installed. `cpack -G DEB` in a build directory writes
# frankenetesd_<version>_<arch>.deb; tests/deploy/test_package.py checks it.
include(GNUInstallDirs)

# The unit's ExecStart= names /usr/bin/frankenetesd: the package installs with prefix /usr.
set(FRANKENETES_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH
  "Where the systemd unit is installed (Debian 12: /lib/systemd/system)")
set(frankenetes_doc_dir "${CMAKE_INSTALL_DATADIR}/doc/frankenetesd")

install(TARGETS frankenetesd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES deploy/systemd/frankenetesd.service DESTINATION ${FRANKENETES_SYSTEMD_UNIT_DIR})
install(FILES config/example.yaml DESTINATION ${frankenetes_doc_dir}/examples
  RENAME frankenetesd.yaml)
install(DIRECTORY config/groups DESTINATION ${frankenetes_doc_dir}/examples)
install(FILES README.md DESTINATION ${frankenetes_doc_dir})
# Directories other changes fill in: taken as they are when the package is built, skipped while
# they do not exist. Prometheus unit tests of the rules (*.test.yml) stay in the repository.
install(DIRECTORY deploy/prometheus DESTINATION ${CMAKE_INSTALL_DATADIR}/frankenetesd OPTIONAL
  PATTERN "*.test.yml" EXCLUDE)
install(DIRECTORY deploy/grafana DESTINATION ${CMAKE_INSTALL_DATADIR}/frankenetesd OPTIONAL)
install(DIRECTORY docs/ DESTINATION ${frankenetes_doc_dir} OPTIONAL)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "frankenetesd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "frankenetes maintainers <maintainers@users.noreply.r-seed-74043de6.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "keeps an ACI-hosted Kubernetes control plane alive")
set(CPACK_PACKAGE_DESCRIPTION
  "frankenetesd watches etcd, kube-apiserver, kube-controller-manager and kube-scheduler\n\
running as Azure Container Instances, heals crash-looping or stopped members through a safe\n\
remediation ladder, re-points their DNS records when their public IPs change, and serves\n\
health, Prometheus metrics and status over HTTP.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies from the binary itself (dpkg-shlibdeps, Debian's dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# TLS peers are verified against the system's trust store; `frankenetesd etcd restore` runs
# etcdctl.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "etcd-client")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
