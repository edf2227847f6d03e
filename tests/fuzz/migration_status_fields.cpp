// Fuzzes flags_from_status_fields (the IMAP flags the original's messages carry in
// Status: / X-Status: fields, original_mailbox.hpp).
//
// Properties: only \Seen, \Answered, \Flagged and \Draft come out, never \Deleted;
// nothing past max_status_header_bytes or after the header's end changes the answer;
// a header without either field gives no flags.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/migration/original_mailbox.hpp"
#include "dirmail/store/mail_store.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t flags = migration::flags_from_status_fields(input);
  constexpr std::uint8_t carried = store::flag_seen | store::flag_answered | store::flag_flagged | store::flag_draft;
  FUZZ_CHECK((flags & ~carried) == 0);

  // What lies beyond the bound is not looked at.
  if (input.size() > migration::max_status_header_bytes) {
    FUZZ_CHECK(migration::flags_from_status_fields(input.substr(0, migration::max_status_header_bytes)) == flags);
  }
  // Nor is a body after the header's end.
  const std::string_view bounded = input.substr(0, migration::max_status_header_bytes);
  if (bounded.find("\n\n") != std::string_view::npos || bounded.find("\n\r\n") != std::string_view::npos ||
      bounded.starts_with("\r\n") || bounded.starts_with("\n")) {
    std::string with_body(bounded);
    with_body += "\r\nStatus: RAFT\r\n";
    FUZZ_CHECK(migration::flags_from_status_fields(with_body) == migration::flags_from_status_fields(bounded));
  }
  // Without the letters there is nothing to find.
  bool letters = false;
  for (char c : bounded)
    if (c == 'R' || c == 'A' || c == 'F' || c == 'T') letters = true;
  if (!letters) FUZZ_CHECK(flags == 0);
  return 0;
}
