#include "dirmail/directory/directory_filters.hpp"

#include "dirmail/directory/ldap_filter.hpp"

namespace dirmail::directory {
namespace {

std::string assertion(std::string_view attribute, std::string_view value) {
  std::string out = "(";
  out += attribute;
  out += '=';
  out += escape_filter_value(value);
  out += ')';
  return out;
}

std::string all_of(std::string_view first, const std::string& second) {
  return "(&" + std::string(first) + second + ")";
}

}  // namespace

std::string user_by_login_filter(const DirectorySchema& schema, std::string_view name, std::string_view login) {
  std::string any = "(|" + assertion(schema.name_attribute, name);
  for (const auto& attribute : schema.login_attributes)
    if (attribute != schema.name_attribute) any += assertion(attribute, login);
  any += ')';
  return all_of(schema.user_filter, any);
}

std::string user_by_address_filter(const DirectorySchema& schema, std::string_view local_part,
                                   std::string_view address) {
  std::string any = "(|" + assertion(schema.name_attribute, local_part);
  if (schema.address_format == AddressFormat::proxy_addresses)
    any += assertion(schema.address_attribute, "smtp:" + std::string(address));
  else if (schema.address_format == AddressFormat::plain)
    any += assertion(schema.address_attribute, address);
  for (const auto& attribute : schema.login_attributes)
    if (attribute != schema.name_attribute && attribute != schema.address_attribute)
      any += assertion(attribute, address);
  any += ')';
  return all_of(schema.user_filter, any);
}

std::string mail_users_filter(const DirectorySchema& schema, std::string_view group_dn, bool nested) {
  std::string attribute = schema.member_of_attribute;
  if (nested && schema.kind == DirectoryKind::ad) attribute += ":" + std::string(in_chain_rule) + ":";
  return all_of(schema.user_filter, assertion(attribute, group_dn));
}

std::string group_by_name_filter(const DirectorySchema& schema, std::string_view name) {
  return all_of(schema.group_filter, assertion(schema.group_name_attribute, name));
}

std::string in_chain_member_filter(std::string_view group_dn) {
  return "(memberOf:" + std::string(in_chain_rule) + ":=" + escape_filter_value(group_dn) + ")";
}

std::string group_lists_user_filter(const DirectorySchema& schema, std::string_view group_name,
                                    std::string_view user_dn, std::string_view user_name) {
  std::string any = "(|" + assertion(schema.group_member_attribute, user_dn);
  if (!schema.group_member_uid_attribute.empty()) any += assertion(schema.group_member_uid_attribute, user_name);
  any += ')';
  return "(&" + schema.group_filter + assertion(schema.group_name_attribute, group_name) + any + ")";
}

bool looks_like_filter(std::string_view filter) {
  if (filter.size() < 3 || filter.front() != '(' || filter.back() != ')') return false;
  int depth = 0;
  bool escaped = false;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c == '\0') return false;
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c == '\\') escaped = true;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0 && i + 1 != filter.size()) return false;
    if (depth < 0) return false;
  }
  return depth == 0;
}

}  // namespace dirmail::directory
