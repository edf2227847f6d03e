#pragma once
// What FETCH asks for (RFC 3501 §6.4.5): the items, their section specifiers and
// partial ranges, and the macros ALL, FAST and FULL expanded.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dirmail::imap {

inline constexpr std::size_t max_fetch_items = 64;
inline constexpr std::size_t max_header_field_names = 100;
inline constexpr std::size_t max_section_parts = 8;  // "1.2.3" depth

enum class FetchKind {
  uid,
  flags,
  internal_date,
  rfc822_size,
  envelope,
  body_structure,  // BODYSTRUCTURE
  body,            // BODY without a section: BODYSTRUCTURE without extension data
  section,         // BODY[...] and BODY.PEEK[...]
  rfc822,          // = BODY[], sets \Seen
  rfc822_header,   // = BODY.PEEK[HEADER]
  rfc822_text,     // = BODY[TEXT], sets \Seen
  modseq,          // RFC 7162 MODSEQ
};

enum class SectionText { full, header, header_fields, header_fields_not, text, mime };

struct FetchSection {
  std::vector<std::uint32_t> part;  // "1.2" -> {1, 2}; empty: the whole message
  SectionText text = SectionText::full;
  std::vector<std::string> fields;  // HEADER.FIELDS (.NOT): the names as the client wrote them
};

struct FetchItem {
  FetchKind kind = FetchKind::uid;
  bool peek = false;  // BODY.PEEK: leave \Seen alone
  FetchSection section;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> partial;  // <start.length>

  // Whether answering this item reads the message (so it sets \Seen unless PEEK).
  bool sets_seen() const;
};

// The item's name in a FETCH response: "BODY[HEADER.FIELDS (From To)]<0>", "RFC822.SIZE".
std::string fetch_response_name(const FetchItem& item);

}  // namespace dirmail::imap
