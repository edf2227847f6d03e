#pragma once
// Queue ids: "<14 hex: microseconds since 1970><4 hex: counter><6 hex: node tag>".
// Sorting ids sorts messages by arrival time; the node tag keeps nodes sharing a queue
// folder apart; the counter (random start) keeps processes of one node apart.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::queue {

inline constexpr std::size_t kQueueIdBytes = 24;
inline constexpr std::size_t kMaxQueueIdBytes = 64;

// Six hex digits derived from the node name.
std::string node_tag(std::string_view node_name);

// A new id, strictly increasing within this process.
std::string make_queue_id(std::string_view tag);

// Ids accepted from callers and file names: 1 to 64 of [0-9A-Za-z] (no path tricks).
bool valid_queue_id(std::string_view id);

// When the message of `id` arrived (microseconds since 1970), read from the id itself;
// nullopt for an id not made by make_queue_id.
std::optional<std::int64_t> queue_id_arrival_us(std::string_view id);

// True when `id` was made by a node with this tag.
bool queue_id_from_node(std::string_view id, std::string_view tag);

}  // namespace dirmail::queue
