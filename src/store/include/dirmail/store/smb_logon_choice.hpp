#pragma once
// How the smb store logs on to its shares, as store.smb_logon says: with the account of
// a credentials file (password), or with a Kerberos ticket from the service keytab
// (kerberos); auto takes the credentials file when one is set. A choice that lacks what
// it needs is refused with the settings named, so that dirmaild does not start.
#include <string>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

struct SmbLogonSettings {
  std::string logon;             // store.smb_logon: "auto", "password" or "kerberos"
  std::string credentials_file;  // store.smb_credentials_file
  std::string keytab;            // directory.keytab
  std::string principal;         // directory.principal (empty: the keytab's first)
};

struct SmbLogonChoice {
  bool kerberos = false;
  std::string credentials_file;   // password
  std::string keytab, principal;  // kerberos
};

// invalid_argument naming the settings: password without a credentials file, kerberos
// with one (which would be ignored), kerberos without a keytab, an unknown value.
Result<SmbLogonChoice> choose_smb_logon(const SmbLogonSettings& settings);

}  // namespace dirmail::store
