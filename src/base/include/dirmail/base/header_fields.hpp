#pragma once
// A small, bounded reader of a message's header block (RFC 5322 §2.2): enough for
// ENVELOPE, BODYSTRUCTURE and BODY[HEADER.FIELDS]. It does not decode encoded words
// (IMAP passes them through as they are; auto-replies look at List-Id and Precedence).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dirmail {

inline constexpr std::size_t max_header_fields = 1000;

struct HeaderField {
  std::string_view name;  // as written, without the colon
  std::string_view raw;   // the whole field as stored: name, value, folded lines, line end
};

// The fields of a header block (which may end with the empty line, or be cut short).
// Lines that are not fields (no colon, a space before the colon in the first line)
// are skipped; at most max_header_fields are returned.
std::vector<HeaderField> split_header_fields(std::string_view header);

// The field's value, unfolded (line breaks before white space removed) and trimmed.
std::string field_value(const HeaderField& field);

// The value of the first field named `name` (any case), or nullopt.
std::optional<std::string> first_field_value(std::string_view header, std::string_view name);

// BODY[HEADER.FIELDS (names)] (or .NOT when `exclude`): the matching fields verbatim
// in their original order, followed by the empty line, CRLF.
std::string filter_header_fields(std::string_view header, std::span<const std::string> names, bool exclude);

}  // namespace dirmail
