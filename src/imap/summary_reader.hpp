#pragma once
// Message summaries (message_summary.hpp) for FETCH, SORT, THREAD and SEARCH: read in
// batches from the store, or made from the message when missing. These run on the
// blocking pool.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/message_summary.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {

// The stored summaries of `uids`, in order; nullopt where none is kept or it does not
// decode (it is then made again).
Result<std::vector<std::optional<MessageSummary>>> load_summaries(store::MailStore& st, const std::string& root,
                                                                   const std::string& folder,
                                                                   const std::vector<std::uint32_t>& uids);

struct ReadSummary {
  MessageSummary summary;
  std::string header;  // the header as read (up to the caller's limit): any field can be asked of it
};

// Reads a message for its summary: the whole of it when `structure` (a MIME parse),
// else only its header. not_found when the message is gone.
Result<ReadSummary> read_summary(store::MailStore& st, const std::string& root, const std::string& folder,
                                 std::uint32_t uid, bool structure, std::size_t max_header);

}  // namespace dirmail::imap
