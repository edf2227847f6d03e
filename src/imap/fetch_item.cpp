// FETCH items (RFC 3501 §6.4.5, grammar in §9: fetch-att, section, partial).
#include "dirmail/imap/fetch_item.hpp"

#include <cctype>

#include <fmt/format.h>

#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
}

// The letters, digits and dots of an item or section name.
std::string read_name(ArgCursor& in) {
  std::string name;
  while (!in.at_end() && name_char(in.peek()) && name.size() < 32) {
    name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(in.peek()))));
    in.consume(in.peek());
  }
  return name;
}

Status parse_header_list(ArgCursor& in, std::vector<std::string>& fields) {
  DIRMAIL_TRY(in.space());
  DIRMAIL_TRY(in.expect('(', "Expected a list of header field names"));
  for (;;) {
    if (fields.size() >= max_header_field_names) return make_error(ErrorCode::limit_exceeded, "Too many header field names");
    auto name = in.astring();
    if (!name) return std::move(name).error();
    if (name->empty() || name->size() > 256) return syntax_error("Invalid header field name");
    for (char c : *name)
      if (static_cast<unsigned char>(c) <= 32 || static_cast<unsigned char>(c) >= 127 || c == ':')
        return syntax_error("Invalid header field name");
    fields.push_back(std::move(*name));
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

Status parse_section_text(std::string_view text, ArgCursor& in, FetchSection& section, bool after_part) {
  if (text == "HEADER") section.text = SectionText::header;
  else if (text == "TEXT") section.text = SectionText::text;
  else if (text == "MIME" && after_part) section.text = SectionText::mime;
  else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    section.text = text == "HEADER.FIELDS" ? SectionText::header_fields : SectionText::header_fields_not;
    return parse_header_list(in, section.fields);
  } else {
    return syntax_error("Invalid section");
  }
  return ok_status();
}

// After "[": section-spec "]".
Status parse_section(ArgCursor& in, FetchSection& section) {
  if (in.consume(']')) return ok_status();
  if (in.peek() >= '1' && in.peek() <= '9') {
    for (;;) {
      if (section.part.size() >= max_section_parts) return make_error(ErrorCode::limit_exceeded, "Section too deep");
      auto n = in.number();
      if (!n) return std::move(n).error();
      if (*n == 0) return syntax_error("Section part numbers start at 1");
      section.part.push_back(*n);
      if (!in.consume('.')) break;
      if (!(in.peek() >= '0' && in.peek() <= '9')) {
        DIRMAIL_TRY(parse_section_text(read_name(in), in, section, true));
        break;
      }
    }
  } else {
    DIRMAIL_TRY(parse_section_text(read_name(in), in, section, false));
  }
  return in.expect(']', "Expected ] after section");
}

Status parse_partial(ArgCursor& in, FetchItem& item) {
  if (!in.consume('<')) return ok_status();
  auto start = in.number();
  if (!start) return std::move(start).error();
  DIRMAIL_TRY(in.expect('.', "Expected . in partial range"));
  auto length = in.number();
  if (!length) return std::move(length).error();
  if (*length == 0) return syntax_error("Partial length must not be 0");
  DIRMAIL_TRY(in.expect('>', "Expected > after partial range"));
  item.partial = std::make_pair(*start, *length);
  return ok_status();
}

Result<FetchItem> parse_fetch_att(ArgCursor& in) {
  std::string name = read_name(in);
  FetchItem item;
  if (name == "UID") item.kind = FetchKind::uid;
  else if (name == "FLAGS") item.kind = FetchKind::flags;
  else if (name == "INTERNALDATE") item.kind = FetchKind::internal_date;
  else if (name == "RFC822.SIZE") item.kind = FetchKind::rfc822_size;
  else if (name == "ENVELOPE") item.kind = FetchKind::envelope;
  else if (name == "BODYSTRUCTURE") item.kind = FetchKind::body_structure;
  else if (name == "RFC822") item.kind = FetchKind::rfc822;
  else if (name == "RFC822.HEADER") item.kind = FetchKind::rfc822_header;
  else if (name == "RFC822.TEXT") item.kind = FetchKind::rfc822_text;
  else if (name == "MODSEQ") item.kind = FetchKind::modseq;
  else if (name == "BODY" || name == "BODY.PEEK") {
    if (!in.consume('[')) {
      if (name == "BODY.PEEK") return syntax_error("BODY.PEEK needs a section");
      item.kind = FetchKind::body;
      return item;
    }
    item.kind = FetchKind::section;
    item.peek = name == "BODY.PEEK";
    DIRMAIL_TRY(parse_section(in, item.section));
    DIRMAIL_TRY(parse_partial(in, item));
  } else {
    return syntax_error("Unknown FETCH item");
  }
  return item;
}

}  // namespace

bool FetchItem::sets_seen() const {
  return (kind == FetchKind::section && !peek) || kind == FetchKind::rfc822 || kind == FetchKind::rfc822_text;
}

std::string fetch_response_name(const FetchItem& item) {
  switch (item.kind) {
    case FetchKind::uid: return "UID";
    case FetchKind::flags: return "FLAGS";
    case FetchKind::internal_date: return "INTERNALDATE";
    case FetchKind::rfc822_size: return "RFC822.SIZE";
    case FetchKind::envelope: return "ENVELOPE";
    case FetchKind::body_structure: return "BODYSTRUCTURE";
    case FetchKind::body: return "BODY";
    case FetchKind::rfc822: return "RFC822";
    case FetchKind::rfc822_header: return "RFC822.HEADER";
    case FetchKind::rfc822_text: return "RFC822.TEXT";
    case FetchKind::modseq: return "MODSEQ";
    case FetchKind::section: break;
  }
  std::string name = "BODY[";
  for (std::size_t i = 0; i < item.section.part.size(); ++i) name += fmt::format("{}{}", i ? "." : "", item.section.part[i]);
  std::string_view text;
  switch (item.section.text) {
    case SectionText::full: break;
    case SectionText::header: text = "HEADER"; break;
    case SectionText::header_fields: text = "HEADER.FIELDS"; break;
    case SectionText::header_fields_not: text = "HEADER.FIELDS.NOT"; break;
    case SectionText::text: text = "TEXT"; break;
    case SectionText::mime: text = "MIME"; break;
  }
  if (!text.empty()) {
    if (!item.section.part.empty()) name += '.';
    name += text;
  }
  if (!item.section.fields.empty()) {
    name += " (";
    for (std::size_t i = 0; i < item.section.fields.size(); ++i) {
      if (i) name += ' ';
      name += item.section.fields[i];  // validated: printable, no spaces
    }
    name += ')';
  }
  name += ']';
  if (item.partial) name += fmt::format("<{}>", item.partial->first);
  return name;
}

Result<std::vector<FetchItem>> parse_fetch_items(ArgCursor& in) {
  std::vector<FetchItem> items;
  auto add = [&items](FetchKind k) {
    FetchItem i;
    i.kind = k;
    items.push_back(i);
  };
  if (in.consume('(')) {
    for (;;) {
      if (items.size() >= max_fetch_items) return make_error(ErrorCode::limit_exceeded, "Too many FETCH items");
      auto item = parse_fetch_att(in);
      if (!item) return std::move(item).error();
      items.push_back(std::move(*item));
      if (in.consume(')')) return items;
      DIRMAIL_TRY(in.space());
    }
  }
  // Macros are only valid alone (RFC 3501 §6.4.5).
  ArgCursor probe = in;
  std::string name = read_name(probe);
  if (name == "ALL" || name == "FAST" || name == "FULL") {
    in = probe;
    add(FetchKind::flags);
    add(FetchKind::internal_date);
    add(FetchKind::rfc822_size);
    if (name != "FAST") add(FetchKind::envelope);
    if (name == "FULL") add(FetchKind::body);
    return items;
  }
  auto item = parse_fetch_att(in);
  if (!item) return std::move(item).error();
  items.push_back(std::move(*item));
  return items;
}

}  // namespace dirmail::imap
