#pragma once
// Owning wrappers of MIT krb5 handles and the small helpers every Kerberos caller in
// dirmail needs (the GSSAPI bind's keytab credentials, the password check of the ad
// backend): each handle is freed with the context that made it, error text comes
// from the context, and a keytab path is always read as a FILE: keytab.
#include <krb5/krb5.h>

#include <string>
#include <string_view>
#include <vector>

namespace dirmail::directory {

// A private krb5 context (krb5_init_context: honours KRB5_CONFIG).
struct Krb5Context {
  krb5_context context = nullptr;
  Krb5Context() = default;
  Krb5Context(const Krb5Context&) = delete;
  Krb5Context& operator=(const Krb5Context&) = delete;
  ~Krb5Context() {
    if (context != nullptr) krb5_free_context(context);
  }
};

struct Krb5Principal {
  krb5_context context;
  krb5_principal principal = nullptr;
  explicit Krb5Principal(krb5_context owner) : context(owner) {}
  Krb5Principal(const Krb5Principal&) = delete;
  Krb5Principal& operator=(const Krb5Principal&) = delete;
  ~Krb5Principal() {
    if (principal != nullptr) krb5_free_principal(context, principal);
  }
};

struct Krb5Keytab {
  krb5_context context;
  krb5_keytab keytab = nullptr;
  explicit Krb5Keytab(krb5_context owner) : context(owner) {}
  Krb5Keytab(const Krb5Keytab&) = delete;
  Krb5Keytab& operator=(const Krb5Keytab&) = delete;
  ~Krb5Keytab() {
    if (keytab != nullptr) krb5_kt_close(context, keytab);
  }
};

// The context's message for `code` (it names the principal or file when krb5 knows).
std::string krb5_error_text(krb5_context context, krb5_error_code code);

// "FILE:<path>" for a plain path, so a path with a colon is not read as a keytab
// type; a name that already has a type ("FILE:", "MEMORY:") is kept.
std::string keytab_name_for(std::string_view keytab);

// "name@REALM" of a principal; "" when it cannot be unparsed.
std::string principal_text(krb5_context context, krb5_const_principal principal);

// The principal of the keytab's first entry.
krb5_error_code first_keytab_principal(krb5_context context, krb5_keytab keytab, krb5_principal* out);

// Every distinct principal of the keytab ("name@REALM"), in keytab order.
krb5_error_code keytab_principal_names(krb5_context context, krb5_keytab keytab,
                                       std::vector<std::string>* out);

}  // namespace dirmail::directory
