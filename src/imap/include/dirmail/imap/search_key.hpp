#pragma once
// SEARCH criteria (RFC 3501 §6.4.4) as a tree, and their evaluation against what the
// session knows of a message without reading it (flags, size, UID, date).
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/imap/sequence_set.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_search_keys = 1000;
inline constexpr std::size_t max_search_depth = 16;

struct SearchKey {
  enum class Kind : std::uint8_t {
    all, answered, deleted, draft, flagged, seen, recent, new_, old,
    unanswered, undeleted, undraft, unflagged, unseen,
    keyword, unkeyword,          // flag keywords: none are stored yet
    larger, smaller,             // number: bytes
    before, on, since,           // number: day (days since 1970-01-01) of INTERNALDATE
    sequence, uid,               // set
    not_, or_, and_,             // children: 1, 2, any
    unsupported,                 // a valid key this version cannot evaluate (name says which)
  };
  Kind kind = Kind::all;
  std::int64_t number = 0;
  SequenceSet set;
  std::string name;  // KEYWORD/UNKEYWORD flag, or the unsupported key's name
  std::vector<SearchKey> children;
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
};

bool search_matches(const SearchKey& key, const SearchFacts& message);

// The first key in the tree that cannot be evaluated, or nullptr.
const SearchKey* find_unsupported(const SearchKey& key);

}  // namespace dirmail::imap
