// Fuzzes the mailbox-name codec and checks (mailbox_name_codec.hpp, mailbox_names.hpp).
// Input: a name as a client would send it, also read as a UTF-8 store name.
//  - decode accepts only printable ASCII, and what it accepts encodes back to exactly
//    the input (one spelling per name);
//  - encode gives printable ASCII that decodes back to exactly the input;
//  - a name folder_name_from_client accepts cannot leave the mailbox root: no "."
//    or ".." level, no empty level, no '\', no control character, INBOX in upper case;
//  - LIST over accepted names never lists a name it was not given.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/imap_string.hpp"
#include "dirmail/imap/mailbox_listing.hpp"
#include "dirmail/imap/mailbox_name_codec.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

bool printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

void check_safe_folder_name(std::string_view name) {
  FUZZ_CHECK(!name.empty() && name.size() <= imap::max_mailbox_name);
  FUZZ_CHECK(name.front() != '/' && name.back() != '/');
  FUZZ_CHECK(name.find('\\') == std::string_view::npos);
  FUZZ_CHECK(name.find("..") == std::string_view::npos);
  for (char c : name) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  std::size_t levels = 0;
  for (std::string_view level : split(name, '/')) {
    FUZZ_CHECK(!level.empty() && level != "." && level != "..");
    ++levels;
  }
  FUZZ_CHECK(levels <= imap::max_mailbox_depth);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);

  auto decoded = imap::decode_mailbox_name(input);
  if (decoded) {
    FUZZ_CHECK(printable_ascii(input));
    auto again = imap::encode_mailbox_name(*decoded);
    FUZZ_CHECK(again.ok() && *again == input);
  } else {
    FUZZ_CHECK(decoded.error().code == ErrorCode::invalid_argument);
  }

  auto encoded = imap::encode_mailbox_name(input);
  if (encoded) {
    FUZZ_CHECK(printable_ascii(*encoded));
    auto back = imap::decode_mailbox_name(*encoded);
    FUZZ_CHECK(back.ok() && *back == input);
  }

  auto folder = imap::folder_name_from_client(input);
  if (folder) {
    FUZZ_CHECK(decoded.ok());
    check_safe_folder_name(*folder);
    FUZZ_CHECK(imap::check_folder_name(*folder).ok());
    const std::string_view first = std::string_view(*folder).substr(0, folder->find('/'));
    if (iequals(first, "INBOX")) FUZZ_CHECK(first == "INBOX");
    // Listed under its own wire name, and only that name (besides INBOX).
    const std::vector<std::string> folders{"INBOX", *folder};
    const std::vector<std::string> patterns{"*"};
    imap::ListRequest request{false, "", patterns, {}};
    auto lines = imap::list_mailboxes(request, folders, {});
    FUZZ_CHECK(!lines.empty() && lines.size() <= 2);
    std::string written = " \"/\" ";
    imap::append_astring(written, *imap::encode_mailbox_name(*folder));
    FUZZ_CHECK(lines.back().size() > written.size() &&
               lines.back().compare(lines.back().size() - written.size(), written.size(), written) == 0);
  }
  if (imap::check_folder_name(input).ok()) check_safe_folder_name(input);
  return 0;
}
