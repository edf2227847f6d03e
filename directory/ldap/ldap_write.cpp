// LdapSession's writes: add, modify and delete requests, each awaited with the
// operation timeout. The answer keeps the server's result code and diagnostic message
// beside the Error, so that a caller can tell AD's refusals apart (ldap_connection.hpp).
#include "dirmail/base/strings.hpp"
#include "ldap_result_codes.hpp"
#include "ldap_session.hpp"

namespace dirmail::directory {
namespace {

// The LDAPMod array libldap takes, pointing into the caller's strings (libldap only
// reads them). Sized once, so that no pointer into it moves.
class ModArray {
 public:
  explicit ModArray(std::size_t count) : values_(count), value_lists_(count), mods_(count) {}

  void set(std::size_t i, int op, const std::string& attribute, const std::vector<std::string>& values) {
    for (const std::string& v : values) values_[i].push_back(berval{v.size(), const_cast<char*>(v.data())});
    for (berval& b : values_[i]) value_lists_[i].push_back(&b);
    value_lists_[i].push_back(nullptr);
    mods_[i].mod_op = op | LDAP_MOD_BVALUES;
    mods_[i].mod_type = const_cast<char*>(attribute.c_str());
    // No values: replace and delete then mean the whole attribute.
    mods_[i].mod_bvalues = values.empty() ? nullptr : value_lists_[i].data();
  }

  LDAPMod** list() {
    pointers_.clear();
    for (LDAPMod& m : mods_) pointers_.push_back(&m);
    pointers_.push_back(nullptr);
    return pointers_.data();
  }

 private:
  std::vector<std::vector<berval>> values_;
  std::vector<std::vector<berval*>> value_lists_;
  std::vector<LDAPMod> mods_;
  std::vector<LDAPMod*> pointers_;
};

int mod_op(LdapModification::Kind kind) {
  switch (kind) {
    case LdapModification::Kind::add: return LDAP_MOD_ADD;
    case LdapModification::Kind::replace: return LDAP_MOD_REPLACE;
    case LdapModification::Kind::remove: return LDAP_MOD_DELETE;
  }
  return LDAP_MOD_REPLACE;
}

std::string_view kind_name(LdapModification::Kind kind) {
  switch (kind) {
    case LdapModification::Kind::add: return "add";
    case LdapModification::Kind::replace: return "replace";
    case LdapModification::Kind::remove: return "delete";
  }
  return "replace";
}

// "modify of CN=x,DC=y (replace unicodePwd, replace userAccountControl)": names only,
// never values.
std::string modify_what(std::string_view dn, const std::vector<LdapModification>& modifications) {
  std::string what = "modify of " + escape_control(dn) + " (";
  for (std::size_t i = 0; i < modifications.size(); ++i) {
    if (i > 0) what += ", ";
    what += kind_name(modifications[i].kind);
    what += ' ';
    what += escape_control(modifications[i].attribute);
  }
  return what + ")";
}

LdapWriteResult refused_locally(const std::string& uri, const std::string& what, std::string_view why) {
  return LdapWriteResult(make_error(ErrorCode::invalid_argument, uri + ": " + what + " not sent: " + std::string(why)),
                         LDAP_PARAM_ERROR, "");
}

std::string bounded(std::string text) {
  if (text.size() > max_write_diagnostic) text.resize(max_write_diagnostic);
  return text;
}

}  // namespace

LdapWriteResult LdapSession::add(std::string_view dn, const std::vector<LdapAttribute>& attributes) {
  const std::string what = "add of " + escape_control(dn);
  if (dn.empty()) return refused_locally(options_.uri, what, "empty DN");
  if (attributes.empty()) return refused_locally(options_.uri, what, "no attributes");
  ModArray mods(attributes.size());
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const LdapAttribute& a = attributes[i];
    if (a.name.empty() || a.values.empty())
      return refused_locally(options_.uri, what, "attribute '" + escape_control(a.name) + "' without a name or values");
    mods.set(i, LDAP_MOD_ADD, a.name, a.values);
  }
  const std::string target(dn);
  int msgid = 0;
  int rc = ldap_add_ext(ld_, target.c_str(), mods.list(), nullptr, nullptr, &msgid);
  return write_result(rc, msgid, what);
}

LdapWriteResult LdapSession::modify(std::string_view dn, const std::vector<LdapModification>& modifications) {
  const std::string what = modify_what(dn, modifications);
  if (dn.empty()) return refused_locally(options_.uri, what, "empty DN");
  if (modifications.empty()) return refused_locally(options_.uri, what, "no changes");
  ModArray mods(modifications.size());
  for (std::size_t i = 0; i < modifications.size(); ++i) {
    const LdapModification& m = modifications[i];
    if (m.attribute.empty()) return refused_locally(options_.uri, what, "a change without an attribute");
    if (m.kind == LdapModification::Kind::add && m.values.empty())
      return refused_locally(options_.uri, what, "an add of no values");
    mods.set(i, mod_op(m.kind), m.attribute, m.values);
  }
  const std::string target(dn);
  int msgid = 0;
  int rc = ldap_modify_ext(ld_, target.c_str(), mods.list(), nullptr, nullptr, &msgid);
  return write_result(rc, msgid, what);
}

LdapWriteResult LdapSession::remove(std::string_view dn) {
  const std::string what = "delete of " + escape_control(dn);
  if (dn.empty()) return refused_locally(options_.uri, what, "empty DN");
  const std::string target(dn);
  int msgid = 0;
  int rc = ldap_delete_ext(ld_, target.c_str(), nullptr, nullptr, &msgid);
  return write_result(rc, msgid, what);
}

LdapWriteResult LdapSession::write_result(int sent, int msgid, std::string_view what) {
  if (sent != LDAP_SUCCESS) {
    std::string text = bounded(diagnostic());
    return LdapWriteResult(failure(sent, what, text), sent, text);
  }
  int client_result = LDAP_OTHER;
  auto reply = wait(msgid, operation_deadline(), what, &client_result);
  if (!reply) return LdapWriteResult(std::move(reply).error(), client_result, "");
  int result = LDAP_OTHER;
  char* text = nullptr;
  int rc = ldap_parse_result(ld_, reply->get(), &result, nullptr, &text, nullptr, nullptr, 0);
  std::string server_text = bounded(text != nullptr ? text : "");
  ldap_memfree(text);
  if (rc != LDAP_SUCCESS) {
    std::string local = bounded(diagnostic());
    return LdapWriteResult(failure(rc, what, local), rc, local);
  }
  if (result == LDAP_SUCCESS) return LdapWriteResult();
  return LdapWriteResult(failure(result, what, server_text), result, server_text);
}

}  // namespace dirmail::directory
