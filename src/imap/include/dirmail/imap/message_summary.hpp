#pragma once
// What IMAP keeps of each message in the folder's summary cache (MailStore::summaries):
// the MIME structure (ranges, fields, envelopes) and the start of the header, so that
// ENVELOPE, BODYSTRUCTURE, part sections and HEADER.FIELDS are answered without
// reading the message file again. Derived data: a summary that does not decode is
// simply made again from the message.
#include <cstdint>
#include <string>
#include <span>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/mime_structure.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_summary_fields = 16 * 1024;  // header field bytes kept
inline constexpr std::size_t max_summary_bytes = 512 * 1024;   // one encoded summary

// The header fields a summary keeps: what ENVELOPE, SORT, THREAD and mail clients'
// BODY.PEEK[HEADER.FIELDS (...)] ask for.
inline constexpr std::string_view summary_header_fields[] = {
    "Bcc", "Cc", "Content-Type", "Date", "Disposition-Notification-To", "From", "Importance",
    "In-Reply-To", "List-Id", "List-Post", "List-Unsubscribe", "Message-ID", "Newsgroups", "Priority",
    "References", "Reply-To", "Sender", "Subject", "To", "X-Priority"};

struct MessageSummary {
  // root: the message, with its fields and envelope. Without `structure_complete` only
  // the header was read: the root has no parts and no line count.
  MimePart structure;
  bool structure_complete = false;
  std::uint64_t total = 0;  // the message's size
  // The message header's summary_header_fields, verbatim and in order, ending with the
  // empty line: what BODY[HEADER.FIELDS (...)] of those names gives. Empty when they
  // did not fit max_summary_fields (then `fields_complete` is false).
  std::string fields;
  bool fields_complete = false;
};

// The summary of a parsed message; `header` is the header the parser kept.
MessageSummary make_summary(MimePart structure, std::uint64_t total, std::string_view header);
// The summary of a message of which only the header was read.
MessageSummary make_header_summary(std::string_view header, std::uint64_t header_size, std::uint64_t total);

// Whether BODY[HEADER.FIELDS (names)] can be answered from a summary's fields.
bool summary_has_fields(std::span<const std::string> names);

// A versioned, self-delimiting encoding; empty when the summary would exceed
// max_summary_bytes (such a message is not cached).
std::string encode_summary(const MessageSummary& summary);
// invalid_argument when the bytes are not a summary this version wrote, or break a
// limit or an invariant (ranges out of order, depth, part count).
Result<MessageSummary> decode_summary(std::string_view bytes);

}  // namespace dirmail::imap
