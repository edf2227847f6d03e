#pragma once
// A new queued message made from part of another (a forward, an alias target in
// another domain): `prefix` then `length` bytes of the file `fd` from `offset`,
// committed (durable) before the id is returned.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::queue {

// A new queued message of `bytes` (a report, an auto-reply).
Result<std::string> queue_bytes(Queue& queue, const Envelope& envelope, std::string_view bytes);

Result<std::string> queue_copy(Queue& queue, const Envelope& envelope, std::string_view prefix, int fd,
                               std::uint64_t offset, std::uint64_t length);

}  // namespace dirmail::queue
