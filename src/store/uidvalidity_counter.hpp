#pragma once
// The UIDVALIDITY values of one mailbox. Every folder index (a new folder, a first
// delivery, an index rebuilt after damage) takes the next value from a counter kept at
// the mailbox root, so a folder deleted and created again under the same name, or one
// renamed to the name of a deleted one, never shows a value seen before
// (RFC 3501 §2.3.1.1). The values follow the clock, so a lost counter file does not
// bring old values back either.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::store {

inline constexpr std::string_view kUidvalidityFileName = "dirmail.uidvalidity";

// A value larger than `above` and than any value this mailbox gave before; at least
// the current time. The counter file is locked while it is read and written, and
// synced before the value is returned.
Result<std::uint32_t> next_uidvalidity(FileSystem& fs, const std::string& mailbox_root, std::uint32_t above);

}  // namespace dirmail::store
