// LdapSession::search: one request, or RFC 2696 paged results page after page until
// the server's cookie is empty; each page is awaited with the operation timeout.
#include <optional>

#include "dirmail/base/strings.hpp"
#include "ldap_result_codes.hpp"
#include "ldap_session.hpp"

namespace dirmail::directory {
namespace {

// A server that keeps sending empty pages with a cookie would loop for ever.
constexpr int kMaxEmptyPages = 16;
// LDAP_SERVER_SD_FLAGS_OID ([MS-ADTS] 3.1.1.3.4.1.11).
constexpr char kSdFlagsOid[] = "1.2.840.113556.1.4.801";

int scope_value(LdapScope scope) {
  switch (scope) {
    case LdapScope::base: return LDAP_SCOPE_BASE;
    case LdapScope::one_level: return LDAP_SCOPE_ONELEVEL;
    case LdapScope::subtree: return LDAP_SCOPE_SUBTREE;
  }
  return LDAP_SCOPE_SUBTREE;
}

struct ControlsFree {
  void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};

}  // namespace

LdapEntry LdapSession::read_entry(LDAPMessage* message) {
  LdapEntry entry;
  if (char* dn = ldap_get_dn(ld_, message)) {
    entry.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* cursor = nullptr;
  for (char* name = ldap_first_attribute(ld_, message, &cursor); name != nullptr;
       name = ldap_next_attribute(ld_, message, cursor)) {
    std::vector<std::string> values;
    if (berval** raw = ldap_get_values_len(ld_, message, name)) {
      for (berval** v = raw; *v != nullptr; ++v) values.emplace_back((*v)->bv_val, (*v)->bv_len);
      ldap_value_free_len(raw);
    }
    entry.attributes.emplace_back(name, std::move(values));
    ldap_memfree(name);
  }
  if (cursor != nullptr) ber_free(cursor, 0);
  return entry;
}

Result<std::vector<LdapEntry>> LdapSession::search(const LdapSearch& request) {
  std::string what = "search of \"" + escape_control(request.base) + "\" for " +
                     printable_diagnostic(request.filter);
  if (request.page_size < 0 || request.filter.empty())
    return make_error(ErrorCode::invalid_argument,
                      options_.uri + ": " + what + ": needs a filter and a page size of 0 or more");

  std::vector<char*> attributes;
  std::string no_attributes = "1.1";  // RFC 4511 4.5.1.8: the DN only
  std::vector<std::string> requested = request.attributes;
  for (std::string& name : requested) attributes.push_back(name.data());
  if (attributes.empty()) attributes.push_back(no_attributes.data());
  attributes.push_back(nullptr);

  const bool paged = request.page_size > 0;
  // BER SEQUENCE { INTEGER sd_flags } for flags below 128, the only ones defined.
  std::string sd_flags_value;
  std::optional<LDAPControl> sd_flags_control;
  if (request.sd_flags > 0) {
    if (request.sd_flags > 15)
      return make_error(ErrorCode::invalid_argument, options_.uri + ": " + what + ": sd_flags above 15");
    sd_flags_value = {'\x30', '\x03', '\x02', '\x01', static_cast<char>(request.sd_flags)};
    sd_flags_control = LDAPControl{};
    sd_flags_control->ldctl_oid = const_cast<char*>(kSdFlagsOid);
    sd_flags_control->ldctl_value = berval{sd_flags_value.size(), sd_flags_value.data()};
    sd_flags_control->ldctl_iscritical = 1;
  }
  timeval time_limit{};
  time_limit.tv_sec = static_cast<time_t>((options_.operation_timeout.count() + 999) / 1000);
  std::vector<LdapEntry> entries;
  std::string cookie;
  int empty_pages = 0;
  do {
    LDAPControl* page_control = nullptr;
    if (paged) {
      berval cookie_value{cookie.size(), cookie.data()};
      // Not critical: a server without paging answers everything in one go.
      int rc = ldap_create_page_control(ld_, request.page_size, cookie.empty() ? nullptr : &cookie_value, 0,
                                        &page_control);
      if (rc != LDAP_SUCCESS) return failure(rc, what, "cannot make the paged results control");
    }
    LDAPControl* server_controls[] = {nullptr, nullptr, nullptr};
    std::size_t control_count = 0;
    if (page_control != nullptr) server_controls[control_count++] = page_control;
    if (sd_flags_control) server_controls[control_count++] = &*sd_flags_control;
    int msgid = 0;
    int rc = ldap_search_ext(ld_, request.base.c_str(), scope_value(request.scope), request.filter.c_str(),
                             attributes.data(), 0, control_count > 0 ? server_controls : nullptr, nullptr,
                             &time_limit,
                             LDAP_NO_LIMIT, &msgid);
    if (page_control != nullptr) ldap_control_free(page_control);
    if (rc != LDAP_SUCCESS) return failure(rc, what, diagnostic());

    const Deadline deadline = operation_deadline();
    const std::size_t before = entries.size();
    bool page_done = false;
    while (!page_done) {
      auto reply = wait(msgid, deadline, what);
      if (!reply) return std::move(reply).error();
      switch (ldap_msgtype(reply->get())) {
        case LDAP_RES_SEARCH_ENTRY:
          if (entries.size() >= request.max_entries) {
            ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
            return make_error(ErrorCode::limit_exceeded, options_.uri + ": " + what + " failed: more than " +
                                                             std::to_string(request.max_entries) + " entries");
          }
          entries.push_back(read_entry(reply->get()));
          break;
        case LDAP_RES_SEARCH_REFERENCE:
          break;  // continuation references (AD's other partitions) are not followed
        case LDAP_RES_SEARCH_RESULT: {
          int result = LDAP_OTHER;
          char* text = nullptr;
          LDAPControl** raw_controls = nullptr;
          rc = ldap_parse_result(ld_, reply->get(), &result, nullptr, &text, nullptr, &raw_controls, 0);
          std::unique_ptr<LDAPControl*, ControlsFree> controls(raw_controls);
          std::string server_text = text != nullptr ? text : "";
          ldap_memfree(text);
          if (rc != LDAP_SUCCESS) return failure(rc, what, diagnostic());
          if (result != LDAP_SUCCESS) return failure(result, what, server_text);
          cookie.clear();
          LDAPControl* page_response =
              paged && controls ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls.get(), nullptr) : nullptr;
          if (page_response != nullptr) {
            ber_int_t estimate = 0;
            berval next{};
            if (ldap_parse_pageresponse_control(ld_, page_response, &estimate, &next) != LDAP_SUCCESS)
              return make_error(ErrorCode::protocol_error,
                                options_.uri + ": " + what + " failed: malformed paged results control");
            if (next.bv_val != nullptr) {
              cookie.assign(next.bv_val, next.bv_len);
              ber_memfree(next.bv_val);
            }
          }
          page_done = true;
          break;
        }
        default:
          break;  // intermediate responses: none expected
      }
    }
    empty_pages = entries.size() == before ? empty_pages + 1 : 0;
    if (!cookie.empty() && empty_pages > kMaxEmptyPages)
      return make_error(ErrorCode::protocol_error,
                        options_.uri + ": " + what + " failed: the server sends empty pages without end");
  } while (paged && !cookie.empty());
  return entries;
}

}  // namespace dirmail::directory
