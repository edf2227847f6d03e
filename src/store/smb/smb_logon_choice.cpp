#include "dirmail/store/smb_logon_choice.hpp"

namespace dirmail::store {

Result<SmbLogonChoice> choose_smb_logon(const SmbLogonSettings& s) {
  SmbLogonChoice choice;
  const bool has_file = !s.credentials_file.empty();
  if (s.logon == "password" || (s.logon == "auto" && has_file)) {
    if (!has_file)
      return make_error(ErrorCode::invalid_argument,
                        "store.smb_logon = password needs store.smb_credentials_file (or set store.smb_logon = "
                        "kerberos to log on with the service keytab, directory.keytab)");
    choice.credentials_file = s.credentials_file;
    return choice;
  }
  if (s.logon != "auto" && s.logon != "kerberos")
    return make_error(ErrorCode::invalid_argument,
                      "store.smb_logon = \"" + s.logon + "\" is not one of auto, password, kerberos");
  if (has_file)
    return make_error(ErrorCode::invalid_argument,
                      "store.smb_logon = kerberos does not use store.smb_credentials_file (\"" + s.credentials_file +
                          "\"): remove it, or set store.smb_logon = password");
  const std::string chosen = s.logon == "auto" ? "store.smb_logon = auto (no store.smb_credentials_file)"
                                               : "store.smb_logon = kerberos";
  if (s.keytab.empty())
    return make_error(ErrorCode::invalid_argument,
                      chosen + " logs on with Kerberos and needs directory.keytab (the service keytab)");
  choice.kerberos = true;
  choice.keytab = s.keytab;
  choice.principal = s.principal;
  return choice;
}

}  // namespace dirmail::store
