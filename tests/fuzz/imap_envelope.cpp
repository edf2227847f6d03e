// Fuzzes what FETCH builds from a header block: parse_address_list (address_list.hpp)
// and format_envelope (envelope.hpp); BODYSTRUCTURE has its own target
// (imap_mime_structure). Input: one mode byte, then text. Odd mode: the text is one
// address list value. Even mode: the text is a header block.
// Address lists stay within their limit, groups open and close in turn, and every
// entry is a mailbox, a group start or a group end. ENVELOPE is a well-formed IMAP
// list (a strict reader reads it) whose strings read back to the header's values and
// parsed addresses.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/address_list.hpp"
#include "dirmail/imap/envelope.hpp"
#include "dirmail/base/header_fields.hpp"
#include "fuzz_check.hpp"
#include "imap_value_reader.hpp"

namespace {

using namespace dirmail;
using fuzz::ImapValue;
using imap::Address;

bool group_start(const Address& a) { return !a.name && !a.route && a.mailbox && !a.host; }
bool group_end(const Address& a) { return !a.name && !a.route && !a.mailbox && !a.host; }

// The characters that end a word in an address: none may be in a host outside a
// domain literal "[...]".
bool clean_host(std::string_view host) {
  bool in_literal = false;
  for (char c : host) {
    if (c == '[') in_literal = true;
    else if (c == ']') in_literal = false;
    else if (!in_literal && std::string_view("()<>:;@,\" \t\r\n").find(c) != std::string_view::npos) return false;
  }
  return true;
}

// "@a,@[b,c]" -> "@a", "@[b,c]": the commas outside domain literals.
std::vector<std::string_view> route_hops(std::string_view route) {
  std::vector<std::string_view> hops;
  bool in_literal = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < route.size(); ++i) {
    if (route[i] == '[') in_literal = true;
    else if (route[i] == ']') in_literal = false;
    else if (route[i] == ',' && !in_literal) {
      hops.push_back(route.substr(start, i - start));
      start = i + 1;
    }
  }
  hops.push_back(route.substr(start));
  return hops;
}

void check_addresses(const std::vector<Address>& list) {
  // A group left open at the limit still gets its end marker: one more than the limit.
  FUZZ_CHECK(list.size() <= imap::max_addresses + 1);
  bool in_group = false;
  for (const auto& a : list) {
    if (group_start(a)) {
      FUZZ_CHECK(!in_group);
      in_group = true;
    } else if (group_end(a)) {
      FUZZ_CHECK(in_group);
      in_group = false;
    } else {
      FUZZ_CHECK(a.mailbox && a.host);  // a mailbox: local part and (maybe empty) domain
      FUZZ_CHECK(clean_host(*a.host));
      if (a.route) {
        FUZZ_CHECK(!a.route->empty() && a.route->front() == '@');
        for (auto hop : route_hops(*a.route)) FUZZ_CHECK(!hop.empty() && hop.front() == '@' && clean_host(hop.substr(1)));
      }
    }
  }
  FUZZ_CHECK(!in_group);
}

// Whether every list item in `v` is separated by SP (as all lists but address lists are).
bool all_spaced(const ImapValue& v) {
  for (const auto& item : v.items)
    if (item.joined || !all_spaced(item)) return false;
  return true;
}

// An address list as ENVELOPE writes it: NIL for none, else a list of 4-tuples.
void check_envelope_addresses(const ImapValue& v, const std::optional<std::string>& field) {
  const auto list = field ? imap::parse_address_list(*field) : std::vector<Address>{};
  if (list.empty()) {
    FUZZ_CHECK(v.is_nil());
    return;
  }
  FUZZ_CHECK(v.is_list() && v.items.size() == list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ImapValue& a = v.items[i];
    FUZZ_CHECK(a.is_list() && a.items.size() == 4 && all_spaced(a));
    FUZZ_CHECK(a.joined == (i > 0));  // "(" 1*address ")": no SP between addresses
    for (const auto& part : a.items) FUZZ_CHECK(part.is_nil() || part.is_string());
    FUZZ_CHECK(a.items[0].nstring() == list[i].name);
    FUZZ_CHECK(a.items[1].nstring() == list[i].route);
    FUZZ_CHECK(a.items[2].nstring() == list[i].mailbox);
    FUZZ_CHECK(a.items[3].nstring() == list[i].host);
  }
}

void check_envelope(std::string_view header) {
  const std::string envelope = imap::format_envelope(header);
  auto v = fuzz::read_imap_value(envelope);
  FUZZ_CHECK(v && v->is_list() && v->items.size() == 10);
  auto field = [header](std::string_view name) { return first_field_value(header, name); };
  for (const auto& item : v->items) FUZZ_CHECK((item.is_nil() || item.is_string() || item.is_list()) && !item.joined);

  FUZZ_CHECK(v->items[0].nstring() == field("Date"));
  FUZZ_CHECK(v->items[1].nstring() == field("Subject"));
  const auto from = field("From");
  // RFC 3501: Sender and Reply-To default to From when absent (or naming nobody).
  auto or_from = [&](std::optional<std::string> value) {
    return value && !imap::parse_address_list(*value).empty() ? value : from;
  };
  check_envelope_addresses(v->items[2], from);
  check_envelope_addresses(v->items[3], or_from(field("Sender")));
  check_envelope_addresses(v->items[4], or_from(field("Reply-To")));
  check_envelope_addresses(v->items[5], field("To"));
  check_envelope_addresses(v->items[6], field("Cc"));
  check_envelope_addresses(v->items[7], field("Bcc"));
  FUZZ_CHECK(v->items[8].nstring() == field("In-Reply-To"));
  FUZZ_CHECK(v->items[9].nstring() == field("Message-ID"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t mode = fuzz::take_byte(input);
  if (mode & 1) {
    check_addresses(imap::parse_address_list(input));
    return 0;
  }
  const auto fields = split_header_fields(input);
  for (const auto& f : fields) check_addresses(imap::parse_address_list(field_value(f)));
  check_envelope(input);
  return 0;
}
