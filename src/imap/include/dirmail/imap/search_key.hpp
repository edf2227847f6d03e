#pragma once
// SEARCH criteria (RFC 3501 §6.4.4) as a tree, and their evaluation against what the
// session knows of a message without reading it (flags, keywords, size, UID, date,
// mod-sequence) and, for the keys that need it, against its content.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/imap/sequence_set.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_search_keys = 1000;
inline constexpr std::size_t max_search_depth = 16;
inline constexpr std::size_t max_search_field = 200;  // HEADER field name

struct SearchKey {
  enum class Kind : std::uint8_t {
    all, answered, deleted, draft, flagged, seen, recent, new_, old,
    unanswered, undeleted, undraft, unflagged, unseen,
    keyword, unkeyword,          // name: the keyword
    modseq,                      // number: RFC 7162 MODSEQ, mod-sequence at least this
    larger, smaller,             // number: bytes
    before, on, since,           // number: day (days since 1970-01-01) of INTERNALDATE
    sent_before, sent_on, sent_since,  // number: day of the Date: header field
    header,                      // name: the field ("From" for FROM...); value: the text
    body, text,                  // value: the text (TEXT: header and body)
    sequence, uid,               // set
    not_, or_, and_,             // children: 1, 2, any
    unsupported,                 // a valid key this version cannot evaluate (name says which)
  };
  Kind kind = Kind::all;
  std::int64_t number = 0;
  SequenceSet set;
  std::string name;  // KEYWORD/UNKEYWORD flag, a HEADER field, or the unsupported key's name
  std::string value; // the text HEADER, BODY and TEXT look for
  std::vector<SearchKey> children;
};

// What a message holds, for the keys that look inside it (header fields, text, the
// Date: field). Strings are UTF-8 as decoded (encoded words, transfer encodings and
// charsets), so the keys compare text, not bytes.
struct SearchContent {
  std::string_view header;      // the header fields the keys name (or the whole header)
  std::string_view text;        // the decoded text parts of the body; only for BODY/TEXT
  std::int64_t sent_day = 0;    // day of the Date: field, else of INTERNALDATE
};

// What a message looks like to SEARCH.
struct SearchFacts {
  std::uint32_t seq = 0;
  std::uint32_t uid = 0;
  std::uint32_t max_seq = 0;  // what '*' means for message numbers
  std::uint32_t max_uid = 0;  // what '*' means for UIDs
  std::uint8_t flags = 0;     // store::Flag bits
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
  bool recent = false;        // \Recent in this session
  std::uint64_t keywords = 0; // bits over *keyword_names
  const std::vector<std::string>* keyword_names = nullptr;  // the folder's keyword list
  std::uint64_t modseq = 0;
  const SearchContent* content = nullptr;  // nullptr: not read (yet)
};

enum class SearchMatch : std::uint8_t { no, yes, unknown };

// yes or no; unknown when the answer depends on keys that need `content` and the
// message's content was not given (so it is read only for the messages that need it).
SearchMatch search_evaluate(const SearchKey& key, const SearchFacts& message);
bool search_matches(const SearchKey& key, const SearchFacts& message);

// What the keys need read from a message: header fields (empty `fields` and `whole_header`
// when none), the whole header (TEXT, or fields a summary does not keep), the body text.
struct SearchNeeds {
  std::vector<std::string> fields;
  bool whole_header = false;
  bool body = false;
  bool any() const { return !fields.empty() || whole_header || body; }
};
SearchNeeds search_needs(const SearchKey& key);

// Whether the tree has a MODSEQ key (the SEARCH reply then carries "(MODSEQ n)").
bool has_modseq_key(const SearchKey& key);

// The first key in the tree that cannot be evaluated, or nullptr.
const SearchKey* find_unsupported(const SearchKey& key);

}  // namespace dirmail::imap
