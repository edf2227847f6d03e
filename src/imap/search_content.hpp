#pragma once
// SEARCH keys that look inside messages (header fields, BODY, TEXT, SENT*): the content
// of each message those keys leave undecided is read on the blocking pool, from the
// message's summary where it has what the keys need, else from the message file.
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/search_key.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {

// For each candidate (facts without content), whether it matches `key`. A message
// expunged meanwhile does not match. Summaries made on the way are kept in the store.
Result<std::vector<bool>> match_by_content(store::MailStore& st, const std::string& root, const std::string& folder,
                                           const SearchKey& key, std::vector<SearchFacts> candidates,
                                           std::size_t max_header);

}  // namespace dirmail::imap
