#include "dirmail/imap/envelope.hpp"

#include <optional>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/address_list.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {
namespace {

struct EnvelopeFields {
  std::optional<std::string> date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id;
};

void append_addresses(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out.append("NIL");
    return;
  }
  auto list = parse_address_list(*value);
  if (list.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (const auto& a : list) {
    out.push_back('(');
    append_nstring(out, a.name);
    out.push_back(' ');
    append_nstring(out, a.route);
    out.push_back(' ');
    append_nstring(out, a.mailbox);
    out.push_back(' ');
    append_nstring(out, a.host);
    out.push_back(')');
  }
  out.push_back(')');
}

}  // namespace

std::string format_envelope(std::string_view header) {
  EnvelopeFields f;
  for (const auto& field : split_header_fields(header)) {
    std::optional<std::string>* slot = nullptr;
    if (iequals(field.name, "Date")) slot = &f.date;
    else if (iequals(field.name, "Subject")) slot = &f.subject;
    else if (iequals(field.name, "From")) slot = &f.from;
    else if (iequals(field.name, "Sender")) slot = &f.sender;
    else if (iequals(field.name, "Reply-To")) slot = &f.reply_to;
    else if (iequals(field.name, "To")) slot = &f.to;
    else if (iequals(field.name, "Cc")) slot = &f.cc;
    else if (iequals(field.name, "Bcc")) slot = &f.bcc;
    else if (iequals(field.name, "In-Reply-To")) slot = &f.in_reply_to;
    else if (iequals(field.name, "Message-ID")) slot = &f.message_id;
    if (slot != nullptr && !*slot) *slot = field_value(field);  // the first occurrence counts
  }
  if (!f.sender || parse_address_list(*f.sender).empty()) f.sender = f.from;
  if (!f.reply_to || parse_address_list(*f.reply_to).empty()) f.reply_to = f.from;

  std::string out = "(";
  append_nstring(out, f.date);
  out.push_back(' ');
  append_nstring(out, f.subject);
  for (const auto* list : {&f.from, &f.sender, &f.reply_to, &f.to, &f.cc, &f.bcc}) {
    out.push_back(' ');
    append_addresses(out, *list);
  }
  out.push_back(' ');
  append_nstring(out, f.in_reply_to);
  out.push_back(' ');
  append_nstring(out, f.message_id);
  out.push_back(')');
  return out;
}

}  // namespace dirmail::imap
