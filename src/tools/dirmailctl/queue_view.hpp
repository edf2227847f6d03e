#pragma once
// How dirmailctl queue list|show print the queue: aligned text for people, or JSON
// (--json) for scripts.
#include <iosfwd>
#include <string>

#include "dirmail/queue/queue_listing.hpp"

namespace dirmail::ctl {

void print_queue_list(const queue::QueueListing& listing, bool json, std::ostream& out);
// `header`: the message's header block.
void print_queue_message(const queue::ListedMessage& entry, const std::string& header, bool json, std::ostream& out);

}  // namespace dirmail::ctl
