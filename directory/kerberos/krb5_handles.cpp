#include "dirmail/directory/krb5_handles.hpp"

#include <algorithm>

namespace dirmail::directory {

std::string krb5_error_text(krb5_context context, krb5_error_code code) {
  const char* text = krb5_get_error_message(context, code);
  std::string message = text != nullptr ? text : "unknown Kerberos error";
  krb5_free_error_message(context, text);
  return message;
}

std::string keytab_name_for(std::string_view keytab) {
  std::string name(keytab);
  return name.find(':') == std::string::npos ? "FILE:" + name : name;
}

std::string principal_text(krb5_context context, krb5_const_principal principal) {
  char* unparsed = nullptr;
  if (krb5_unparse_name(context, principal, &unparsed) != 0) return "";
  std::string text = unparsed;
  krb5_free_unparsed_name(context, unparsed);
  return text;
}

krb5_error_code first_keytab_principal(krb5_context context, krb5_keytab keytab, krb5_principal* out) {
  krb5_kt_cursor cursor;
  krb5_error_code rc = krb5_kt_start_seq_get(context, keytab, &cursor);
  if (rc != 0) return rc;
  krb5_keytab_entry entry;
  rc = krb5_kt_next_entry(context, keytab, &entry, &cursor);
  if (rc == 0) {
    rc = krb5_copy_principal(context, entry.principal, out);
    krb5_free_keytab_entry_contents(context, &entry);
  }
  krb5_kt_end_seq_get(context, keytab, &cursor);
  return rc;
}

krb5_error_code keytab_principal_names(krb5_context context, krb5_keytab keytab,
                                       std::vector<std::string>* out) {
  krb5_kt_cursor cursor;
  krb5_error_code rc = krb5_kt_start_seq_get(context, keytab, &cursor);
  if (rc != 0) return rc;
  krb5_keytab_entry entry;
  while ((rc = krb5_kt_next_entry(context, keytab, &entry, &cursor)) == 0) {
    std::string name = principal_text(context, entry.principal);
    krb5_free_keytab_entry_contents(context, &entry);
    if (!name.empty() && std::find(out->begin(), out->end(), name) == out->end()) out->push_back(std::move(name));
  }
  krb5_kt_end_seq_get(context, keytab, &cursor);
  return rc == KRB5_KT_END ? 0 : rc;
}

}  // namespace dirmail::directory
