// Fuzzes decode_summary (message_summary.hpp): the bytes IMAP reads back from a
// folder's summary file, which a crash or a disk can damage. Input: the bytes.
// Whatever decodes stays within the structure limits, encodes back to bytes that
// decode to the same summary, and formats as BODYSTRUCTURE without trouble.
#include <string>

#include "dirmail/imap/body_structure.hpp"
#include "dirmail/imap/message_summary.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

std::size_t count_parts(const imap::MimePart& p, std::size_t depth) {
  FUZZ_CHECK(depth <= imap::max_mime_depth);
  std::size_t n = 1;
  for (const auto& child : p.children) n += count_parts(child, depth + 1);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = imap::decode_summary(fuzz::as_view(data, size));
  if (!decoded) return 0;
  FUZZ_CHECK(count_parts(decoded->structure, 1) <= imap::max_mime_parts);
  FUZZ_CHECK(decoded->fields.size() <= imap::max_summary_fields);
  const std::string bytes = imap::encode_summary(*decoded);
  FUZZ_CHECK(!bytes.empty());
  auto again = imap::decode_summary(bytes);
  FUZZ_CHECK(again);
  FUZZ_CHECK(imap::encode_summary(*again) == bytes);
  FUZZ_CHECK(imap::format_body_structure(again->structure, true) ==
             imap::format_body_structure(decoded->structure, true));
  return 0;
}
