# Every dependency comes from a Debian package (scripts/install-deps).
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
# OpenLDAP's libldap, Cyrus SASL (GSSAPI binds) and MIT Kerberos (keytab tickets).
pkg_check_modules(LDAP REQUIRED IMPORTED_TARGET ldap lber)
pkg_check_modules(SASL2 REQUIRED IMPORTED_TARGET libsasl2)
pkg_check_modules(KRB5 REQUIRED IMPORTED_TARGET krb5 krb5-gssapi)
# libsmbclient: Group Policy files from SYSVOL (Kerberos with the service keytab).
pkg_check_modules(SMBCLIENT REQUIRED IMPORTED_TARGET smbclient)
# GMime: MIME structure where a message must be changed (attachments left out of a forward).
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
if(DIRMAIL_TESTS)
  find_package(GTest REQUIRED)
endif()
