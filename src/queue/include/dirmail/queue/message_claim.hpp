#pragma once
// An administrator's exclusive claim on one queued message, and the hold/ folder.
//
// A held message sits in hold/ (<id>.msg and <id>.state, as in incoming/):
// FileQueue::list() reads incoming/ only, so the daemon neither recovers nor delivers
// it until it is released back into incoming/.
//
// The claim is the message's ClaimLock (claim_lock.hpp), the one a delivery attempt
// takes (FileQueue::claim, without waiting) before it looks for the message in
// incoming/; so a command never moves or removes a message in the middle of an
// attempt, and an attempt never starts on a message a command is changing.
//
// The .msg file says where a message is; its .state follows it. Hold moves the .msg
// first, release moves the .state first, each rename made durable before the next. A
// crash between the two leaves incoming/<id>.state beside hold/<id>.msg, in both
// cases, and FileQueue::open() moves that state into hold/: the message stays held
// (or becomes held) with its outcomes, and never sits in incoming/ without them (that
// could deliver a recipient twice).
#include <functional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/claim_lock.hpp"
#include "dirmail/queue/queue_location.hpp"

namespace dirmail::queue {

class MessageClaim {
 public:
  // Claims message `id` in incoming/ or hold/. Waits while a delivery attempt has it
  // (calling `waiting` once first, to tell the user).
  // Errors: invalid_argument for a malformed id; not_found when the message is in
  // neither folder (never queued, delivered, or removed meanwhile).
  static Result<MessageClaim> acquire(const QueueLocation& where, std::string_view id,
                                      const std::function<void()>& waiting = {});

  const std::string& id() const { return id_; }
  bool held() const { return held_; }

  // Moves the message into hold/ (invalid_argument when it is held already).
  Status hold();
  // Moves it back into incoming/ (invalid_argument when it is not held).
  Status release();

 private:
  MessageClaim(QueueLocation where, std::string id, ClaimLock lock, bool held)
      : where_(std::move(where)), id_(std::move(id)), lock_(std::move(lock)), held_(held) {}
  Status move_files(std::string_view from, std::string_view to, bool state_first);

  QueueLocation where_;
  std::string id_;
  ClaimLock lock_;
  bool held_ = false;
};

// The folder names under the queue's root.
inline constexpr std::string_view kIncomingFolder = "incoming";
inline constexpr std::string_view kHoldFolder = "hold";

// After a crash between a hold's or a release's two renames: moves each
// incoming/<id>.state whose <id>.msg is in hold/ into hold/ (skipping messages a
// command claims right now). Called by FileQueue::open() before it removes orphans.
Status settle_interrupted_holds(const QueueLocation& where);

}  // namespace dirmail::queue
