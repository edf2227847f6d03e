// ENABLE (RFC 5161): the client turns on extensions that change what the server sends
// unasked. Names the server does not implement are ignored (§3.2), so ENABLED may list
// nothing. CONDSTORE and QRESYNC (RFC 7162) can be enabled; UTF8=ACCEPT (RFC 6855) is
// not implemented.
#include <array>
#include <cstdint>
#include <string_view>

#include "dirmail/base/strings.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

struct EnableableExtension {
  std::string_view name;
  std::uint32_t bit;  // in ImapSession::enabled_
};

constexpr std::array<EnableableExtension, 2> enableable{{
    {"CONDSTORE", enabled_condstore},
    {"QRESYNC", enabled_qresync},  // RFC 7162 §3.2.3: implies CONDSTORE (condstore_on())
}};

}  // namespace

void ImapSession::enable(const ImapCommand& cmd) {
  // RFC 5161 §3.1: only before a mailbox is selected; what is enabled changes how a
  // selected mailbox is reported.
  if (state_ == State::selected) {
    tagged(cmd.tag, "BAD ENABLE is not valid while a mailbox is selected");
    ++errors_;
    return;
  }
  std::string enabled = "* ENABLED";
  for (const auto& name : cmd.args)
    for (const auto& e : enableable)
      if (iequals(name, e.name) && (enabled_ & e.bit) == 0) {  // newly enabled only
        enabled_ |= e.bit;
        enabled += ' ';
        enabled += e.name;
      }
  reply(enabled);
  tagged(cmd.tag, "OK ENABLE completed");
}

}  // namespace dirmail::imap
