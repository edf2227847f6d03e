// MessageIntake: what reaches the queue file from DATA lines and BDAT chunks.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "message_intake_harness.hpp"

namespace dirmail::smtp {
namespace {

using namespace intake_test;
using Refusal = MessageIntake::Refusal;

const IntakeLimits no_limits{};

IntakeLimits submission() {
  IntakeLimits limits;
  limits.add_missing_headers = true;
  limits.hostname = "mx.example.test";
  return limits;
}

std::string without_added_values(const IntakeOutcome& o) {
  return without_changing_values(o, submission().hostname).stored;
}

const std::string plain_message =
    "From: Alice <alice@example.test>\r\n"
    "Subject: hello\r\n"
    " folded\r\n"
    "\r\n"
    "line one\r\n"
    ".dot\r\n"
    "\r\n"
    "last\r\n";

// --- DATA and BDAT agree ---------------------------------------------------------

TEST(MessageIntake, StoresACrLfMessageAsSent) {
  EXPECT_EQ(take_as_data(plain_message, no_limits).stored, plain_message);
  EXPECT_EQ(take_as_bdat(plain_message, no_limits).stored, plain_message);
}

TEST(MessageIntake, EveryTwoChunkSplitStoresWhatDataStores) {
  const auto data = take_as_data(plain_message, no_limits);
  for (std::size_t cut = 0; cut <= plain_message.size(); ++cut) {
    auto bdat = take_as_bdat(plain_message, no_limits, {cut});
    EXPECT_EQ(bdat.stored, data.stored) << "cut at " << cut;
    EXPECT_EQ(bdat.refusal, Refusal::none) << "cut at " << cut;
    EXPECT_EQ(bdat.text_size, plain_message.size()) << "cut at " << cut;
  }
}

TEST(MessageIntake, EveryThreeChunkSplitStoresWhatDataStores) {
  const std::string text = "Subject: a\r\n\r\nb\r\n\r\nc\rd\ne\r\n";
  const auto data = take_as_data(text, no_limits);
  EXPECT_EQ(data.stored, "Subject: a\r\n\r\nb\r\n\r\nc\r\nd\r\ne\r\n");
  for (std::size_t i = 0; i <= text.size(); ++i)
    for (std::size_t j = i; j <= text.size(); ++j)
      EXPECT_EQ(take_as_bdat(text, no_limits, {i, j}).stored, data.stored) << "cuts at " << i << ", " << j;
}

TEST(MessageIntake, OneOctetChunksStoreWhatDataStores) {
  std::vector<std::size_t> every_octet;
  for (std::size_t i = 1; i < plain_message.size(); ++i) every_octet.push_back(i);
  EXPECT_EQ(take_as_bdat(plain_message, no_limits, every_octet).stored, plain_message);
}

TEST(MessageIntake, CrLfSplitAcrossChunksIsOneLineEnd) {
  EXPECT_EQ(take_as_bdat("a\r\nb\r\n", no_limits, {2}).stored, "a\r\nb\r\n");
  // Each chunk a single CR or LF.
  EXPECT_EQ(take_as_bdat("a\r\nb\r\n", no_limits, {1, 2, 3, 4, 5}).stored, "a\r\nb\r\n");
  // A CR ending a chunk before one that starts with text, or with another CR LF.
  EXPECT_EQ(take_as_bdat("a\rb\r\n", no_limits, {2}).stored, "a\r\nb\r\n");
  EXPECT_EQ(take_as_bdat("a\r\r\n", no_limits, {2}).stored, "a\r\n\r\n");
}

TEST(MessageIntake, SplitsMatterNotForEmptyChunks) {
  EXPECT_EQ(take_as_bdat(plain_message, no_limits, {0, 0, 5, 5, 5, plain_message.size()}).stored, plain_message);
}

// --- line ends -------------------------------------------------------------------

TEST(MessageIntake, BareLfAndBareCrBecomeCrLf) {
  const std::string text = "S: x\n\na\nb\rc\r\n\nd\r\re\n";
  const std::string want = "S: x\r\n\r\na\r\nb\r\nc\r\n\r\nd\r\n\r\ne\r\n";
  EXPECT_EQ(take_as_data(text, no_limits).stored, want);
  for (std::size_t cut = 0; cut <= text.size(); ++cut)
    EXPECT_EQ(take_as_bdat(text, no_limits, {cut}).stored, want) << "cut at " << cut;
}

TEST(MessageIntake, MessageWithoutFinalLineEndGetsOne) {
  EXPECT_EQ(take_as_bdat("S: x\r\n\r\nbody", no_limits).stored, "S: x\r\n\r\nbody\r\n");
  EXPECT_EQ(take_as_data("S: x\r\n\r\nbody", no_limits).stored, "S: x\r\n\r\nbody\r\n");
  // A bare CR at the very end is that line end.
  EXPECT_EQ(take_as_bdat("S: x\r\n\r\nbody\r", no_limits).stored, "S: x\r\n\r\nbody\r\n");
  EXPECT_EQ(take_as_bdat("S: x\r\n\r\nbody\r", no_limits, {14}).stored, "S: x\r\n\r\nbody\r\n");
  EXPECT_EQ(take_as_bdat("\r", no_limits).stored, "\r\n");
  EXPECT_EQ(take_as_bdat("", no_limits).stored, "");
}

TEST(MessageIntake, LinesLongerThanAPieceStoreWhatDataStores) {
  const std::string x4095(4095, 'x');
  std::string text = "Subject: long\r\n\r\n";
  text += x4095 + "\r\n";                                        // CR LF just inside a piece
  text += x4095 + "x\r\n";                                       // CR LF right after a piece
  text += x4095 + "xx\r\n";                                      // CR LF straddling a piece end
  text += x4095 + "\r" + std::string(5000, 'y') + "\r\n";        // bare CR ending a piece
  text += x4095 + "x\r" + "z\r\n";                               // bare CR starting a piece
  text += std::string(9000, 'w') + "\r" + "v\r\n";               // bare CR in the third piece
  text += std::string(12000, 'u') + "\n";                        // bare LF after three pieces
  const std::string want = replace_all(replace_all(replace_all(text, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n");

  const auto data = take_as_data(text, no_limits);
  EXPECT_EQ(data.stored, want);
  EXPECT_EQ(take_as_bdat(text, no_limits).stored, want);
  // Cuts around every CR and every 4096 boundary of the text.
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\r' || i % 4096 == 0)
      for (std::size_t d = 0; d < 4; ++d) cuts.push_back(i + d > 1 ? i + d - 1 : 0);
  for (std::size_t cut : cuts) EXPECT_EQ(take_as_bdat(text, no_limits, {cut}).stored, want) << "cut at " << cut;
  // The whole text in chunks of 4097 and 4095 octets.
  for (std::size_t step : {std::size_t{4095}, std::size_t{4097}}) {
    std::vector<std::size_t> steps;
    for (std::size_t at = step; at < text.size(); at += step) steps.push_back(at);
    EXPECT_EQ(take_as_bdat(text, no_limits, steps).stored, want) << "chunks of " << step;
  }
}

// --- size limits -----------------------------------------------------------------

// A message of exactly `size` octets: a header field, an empty line and one long body line.
std::string message_of_size(std::size_t size) {
  std::string head = "S: x\r\n\r\n";
  return head + std::string(size - head.size() - 2, 'a') + "\r\n";
}

TEST(MessageIntake, SizeLimitLeavesHeadroomForOurReceived) {
  IntakeLimits limits;
  limits.max_message_size = 100;
  const std::string fits = message_of_size(100 + 4096);
  auto ok = take_as_bdat(fits, limits);
  EXPECT_EQ(ok.refusal, Refusal::none);
  EXPECT_EQ(ok.stored, fits);
  EXPECT_EQ(take_as_data(fits, limits).refusal, Refusal::none);

  const std::string over = message_of_size(100 + 4096 + 1);
  for (const auto& o : {take_as_bdat(over, limits), take_as_data(over, limits), take_as_bdat(over, limits, {3000})}) {
    EXPECT_EQ(o.refusal, Refusal::too_big);
    EXPECT_LE(o.stored.size(), 100u + 4096u);
    EXPECT_EQ(over.substr(0, o.stored.size()), o.stored);  // what was written is a prefix
  }
}

TEST(MessageIntake, SizeLimitCountsTheStoredLineEnds) {
  IntakeLimits limits;
  limits.max_message_size = 100;
  // 4196 octets sent with bare LF, 6294 as stored.
  std::string text;
  while (text.size() < 100 + 4096) text += "a\n";
  EXPECT_EQ(take_as_bdat(text, limits).refusal, Refusal::too_big);
}

TEST(MessageIntake, NothingIsWrittenAfterTooBig) {
  IntakeLimits limits;
  limits.max_message_size = 1;
  RecordingWriter writer;
  MessageIntake intake(writer, limits);
  intake.add_chunk(message_of_size(4098));
  ASSERT_EQ(intake.refusal(), Refusal::too_big);
  const auto writes = writer.writes;
  const auto size = intake.text_size();
  intake.add_chunk("more text\r\n");
  intake.add_line("and more", true);
  intake.finish();
  EXPECT_EQ(writer.writes, writes);
  EXPECT_EQ(intake.text_size(), size);
  EXPECT_EQ(intake.refusal(), Refusal::too_big);
}

TEST(MessageIntake, HeaderSizeLimit) {
  IntakeLimits limits;
  limits.max_header_size = 60;  // ten "F: 1" fields with their CR LF
  std::string fields;
  for (int i = 0; i < 10; ++i) fields += "F: 1\r\n";
  auto ok = take_as_bdat(fields + "\r\nbody\r\n", limits);
  EXPECT_EQ(ok.refusal, Refusal::none);
  EXPECT_EQ(ok.stored, fields + "\r\nbody\r\n");

  for (const auto& o : {take_as_bdat(fields + "G: 2\r\n\r\nbody\r\n", limits),
                        take_as_data(fields + "G: 2\r\n\r\nbody\r\n", limits)}) {
    EXPECT_EQ(o.refusal, Refusal::header_too_big);
    EXPECT_EQ(o.stored, fields);  // the field past the limit and all after it are not written
  }
  // A continuation line counts too.
  EXPECT_EQ(take_as_bdat(fields + " more\r\n\r\n", limits).refusal, Refusal::header_too_big);
  // The body does not.
  EXPECT_EQ(take_as_bdat(fields + "\r\n" + std::string(1000, 'b') + "\r\n", limits).refusal, Refusal::none);
}

TEST(MessageIntake, TooManyReceivedFieldsIsALoop) {
  IntakeLimits limits;
  limits.max_hops = 3;
  std::string three;
  for (int i = 0; i < 3; ++i) three += "Received: from relay" + std::to_string(i) + ".example by x; date\r\n";
  EXPECT_EQ(take_as_data(three + "Subject: x\r\n\r\nReceived: in the body\r\n", limits).refusal, Refusal::none);
  for (const auto& o : {take_as_bdat(three + "RECEIVED: from loop\r\n\r\nbody\r\n", limits),
                        take_as_data(three + "received: from loop\r\n\r\nbody\r\n", limits)})
    EXPECT_EQ(o.refusal, Refusal::too_many_hops);
  EXPECT_EQ(take_as_data(three + three + "\r\nbody\r\n", no_limits).refusal, Refusal::none);  // 0: no limit
}

TEST(MessageIntake, HeaderFieldLimit) {
  IntakeLimits limits;
  limits.max_header_fields = 3;
  const std::string three = "A: 1\r\nB: 2\r\n folded\r\n\tagain\r\nC: 3\r\n";
  auto ok = take_as_bdat(three + "\r\nD: body\r\nE: body\r\n", limits);
  EXPECT_EQ(ok.refusal, Refusal::none);
  for (const auto& o : {take_as_bdat(three + "D: 4\r\n\r\nbody\r\n", limits),
                        take_as_data(three + "D: 4\r\n\r\nbody\r\n", limits)}) {
    EXPECT_EQ(o.refusal, Refusal::header_too_big);
    EXPECT_EQ(o.stored, three);
  }
}

TEST(MessageIntake, WriteFailureStopsWriting) {
  RecordingWriter writer(10);
  MessageIntake intake(writer, no_limits);
  intake.add_chunk("Subject: a long enough line\r\n\r\nbody\r\n");
  ASSERT_EQ(intake.refusal(), Refusal::write_failed);
  ASSERT_FALSE(intake.write_status().ok());
  EXPECT_EQ(intake.write_status().error().message, "disk full (test)");
  EXPECT_EQ(intake.write_status().error().code, ErrorCode::temporary_failure);
  const auto writes = writer.writes;
  intake.add_chunk("more\r\n");
  intake.finish();
  EXPECT_EQ(writer.writes, writes);
}

// --- Message-ID and Date (submission) --------------------------------------------

TEST(MessageIntake, AddsMessageIdAndDateAtTheEndOfTheHeader) {
  auto o = take_as_bdat("From: a@b.test\r\nSubject: x\r\n\r\nbody\r\n", submission());
  EXPECT_TRUE(std::regex_match(o.message_id, std::regex(R"(<[0-9]+\.[0-9a-f]{24}@mx\.example\.test>)")))
      << o.message_id;
  EXPECT_TRUE(std::regex_match(o.stored, std::regex("From: a@b\\.test\r\nSubject: x\r\n"
                                                    "Message-ID: <[^\r\n]+>\r\n"
                                                    "Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                                                    "[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\r\n"
                                                    "\r\nbody\r\n")))
      << o.stored;
  EXPECT_NE(o.stored.find("Message-ID: " + o.message_id + "\r\n"), std::string::npos);
  // A second message gets another id.
  EXPECT_NE(take_as_bdat("S: x\r\n\r\n", submission()).message_id, o.message_id);
}

TEST(MessageIntake, AddsOnlyWhatIsMissing) {
  const std::string both = "message-id:  <given@example.test> \r\nDATE: Thu, 01 Jan 1970 00:00:00 +0000\r\n\r\nb\r\n";
  auto o = take_as_bdat(both, submission());
  EXPECT_EQ(o.stored, both);
  EXPECT_EQ(o.message_id, "<given@example.test>");

  auto no_date = take_as_bdat("Message-ID: <m@x>\r\n\r\nb\r\n", submission());
  EXPECT_EQ(stored_field_count(no_date.stored, "Message-ID"), 1u);
  EXPECT_EQ(stored_field_count(no_date.stored, "Date"), 1u);
  EXPECT_EQ(no_date.message_id, "<m@x>");

  auto no_id = take_as_bdat("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n\r\nb\r\n", submission());
  EXPECT_EQ(stored_field_count(no_id.stored, "Message-ID"), 1u);
  EXPECT_EQ(stored_field_count(no_id.stored, "Date"), 1u);
  EXPECT_EQ(no_id.stored.find("Date: Thu, 01 Jan 1970"), 0u);
}

TEST(MessageIntake, LookalikeFieldsAndBodyLinesDoNotCount) {
  const std::string text = "X-Message-ID: <a@b>\r\nMessage-IDs: <c@d>\r\nMessage-ID <e@f>\r\nDates: x\r\n\r\n"
                           "Message-ID: <in@body>\r\nDate: Thu, 01 Jan 1970 00:00:00 +0000\r\n";
  auto o = take_as_bdat(text, submission());
  EXPECT_NE(o.message_id, "<in@body>");
  EXPECT_EQ(stored_field_count(o.stored, "Message-ID"), 1u);
  EXPECT_EQ(stored_field_count(o.stored, "Date"), 1u);
  EXPECT_EQ(o.stored.find("X-Message-ID: <a@b>\r\nMessage-IDs: <c@d>\r\nMessage-ID <e@f>\r\nDates: x\r\nMessage-ID: "),
            0u);
}

TEST(MessageIntake, HeaderOnlyMessageGetsThemAtItsEnd) {
  const std::regex want("Subject: x\r\nMessage-ID: <[^\r\n]+>\r\nDate: [^\r\n]+\r\n");
  for (std::string text : {"Subject: x\r\n", "Subject: x", "Subject: x\n"}) {
    for (const auto& o : {take_as_bdat(text, submission()), take_as_data(text, submission())}) {
      EXPECT_TRUE(std::regex_match(o.stored, want)) << testing::PrintToString(text) << " -> "
                                                    << testing::PrintToString(o.stored);
    }
  }
  // BDAT only: a DATA message cannot end in a bare CR (CR LF "." CR LF follows it).
  EXPECT_TRUE(std::regex_match(take_as_bdat("Subject: x\r", submission()).stored, want));
  // No header at all: an empty message, or one that starts with the empty line.
  EXPECT_TRUE(std::regex_match(take_as_bdat("", submission()).stored,
                               std::regex("Message-ID: <[^\r\n]+>\r\nDate: [^\r\n]+\r\n")));
  EXPECT_TRUE(std::regex_match(take_as_bdat("\r\nbody\r\n", submission()).stored,
                               std::regex("Message-ID: <[^\r\n]+>\r\nDate: [^\r\n]+\r\n\r\nbody\r\n")));
}

TEST(MessageIntake, NothingAddedWithoutSubmission) {
  auto o = take_as_bdat("Subject: x\r\n\r\nb\r\n", no_limits);
  EXPECT_EQ(o.stored, "Subject: x\r\n\r\nb\r\n");
  EXPECT_EQ(o.message_id, "");
  EXPECT_EQ(take_as_bdat("Message-ID: <n@x>\r\n\r\nb\r\n", no_limits).message_id, "<n@x>");
}

TEST(MessageIntake, MessageIdNotedIsTheFirstTrimmedAndCapped) {
  EXPECT_EQ(take_as_bdat("Message-ID:\t <a@b>  \r\nMessage-ID: <c@d>\r\n\r\n", no_limits).message_id, "<a@b>");
  auto long_id = "<" + std::string(1000, 'i') + "@x>";
  EXPECT_EQ(take_as_bdat("Message-ID: " + long_id + "\r\n\r\n", no_limits).message_id, long_id.substr(0, 256));
}

// RFC 5322 allows folding white space before the "<": the value on the next line counts.
TEST(MessageIntake, FoldedMessageIdIsNoted) {
  auto o = take_as_bdat("Message-ID:\r\n <folded@example.test>\r\n\r\nb\r\n", submission());
  EXPECT_EQ(o.message_id, "<folded@example.test>");
  EXPECT_EQ(stored_field_count(o.stored, "Message-ID"), 1u);  // and none is added
}

// Sender trust must not vouch for a From: it could not read whole.
TEST(MessageIntake, AFromLongerThanTheCapIsMarkedTruncated) {
  RecordingWriter long_writer;
  MessageIntake long_from(long_writer, no_limits);
  long_from.add_chunk("From: me@example.test (" + std::string(MessageIntake::max_from_value, 'x') +
                      "), forged@evil.test\r\n\r\nb\r\n");
  long_from.finish();
  EXPECT_TRUE(long_from.from_truncated());
  RecordingWriter writer;
  MessageIntake fits(writer, no_limits);
  fits.add_chunk("From: me@example.test\r\n\r\n");
  fits.finish();
  EXPECT_FALSE(fits.from_truncated());
}

TEST(MessageIntake, SubmissionSplitsStoreWhatDataStores) {
  const std::string text = "From: a@b.test\r\nSubject: x\r\n\r\nbody\r\n";
  const auto data = without_added_values(take_as_data(text, submission()));
  for (std::size_t cut = 0; cut <= text.size(); ++cut)
    EXPECT_EQ(without_added_values(take_as_bdat(text, submission(), {cut})), data) << "cut at " << cut;
}

// --- From: ----------------------------------------------------------------------

TEST(MessageIntake, FromValueIsNotedUnfolded) {
  auto o = take_as_bdat("Subject: x\r\nfrom: Alice\r\n <alice@example.test>\r\n\t(work)\r\nTo: b@c\r\n\r\n", no_limits);
  EXPECT_TRUE(o.has_from);
  EXPECT_EQ(o.from_value, " Alice <alice@example.test>\t(work)");
  EXPECT_EQ(take_as_data("Subject: x\r\nfrom: Alice\r\n <alice@example.test>\r\n\r\n", no_limits).from_value,
            " Alice <alice@example.test>");
}

TEST(MessageIntake, OnlyTheFirstFromInTheHeaderCounts) {
  auto o = take_as_bdat("From: first@a.test\r\nFrom: second@b.test\r\n\r\nFrom: body@c.test\r\n", no_limits);
  EXPECT_EQ(o.from_value, " first@a.test");
  auto body_only = take_as_bdat("Subject: x\r\n\r\nFrom: body@c.test\r\n", no_limits);
  EXPECT_FALSE(body_only.has_from);
  EXPECT_EQ(body_only.from_value, "");
  EXPECT_FALSE(take_as_bdat("X-From: a@b\r\nFrom : a@b\r\n\r\n", no_limits).has_from);
}

TEST(MessageIntake, FromValueIsCapped) {
  const std::string value = " " + std::string(3000, 'n') + " <a@b>";
  std::string text = "From:" + value;
  for (int i = 0; i < 3; ++i) text += "\r\n " + std::string(3000, 'c');
  text += std::string(9000, 'd') + "\r\n\r\n";
  for (const auto& o : {take_as_bdat(text, no_limits), take_as_data(text, no_limits),
                        take_as_bdat(text, no_limits, {4000, 8000})}) {
    EXPECT_EQ(o.from_value.size(), MessageIntake::max_from_value);
    EXPECT_EQ(o.from_value.substr(0, value.size()), value);
    EXPECT_EQ(o.stored, text);  // the cap is on what is noted, not on what is stored
  }
}

// --- the header watch sees the header as stored ---------------------------------
// Where a BDAT chunk or a DATA piece ends must not hide a field, and a bare CR (stored
// as a line end) is a line end for the header watch too: otherwise a Message-ID or
// Date is added twice, or a second From: decides the sender trust check.

TEST(MessageIntakeHeaderWatch, ChunkEndingInsideMessageIdDoesNotHideIt) {
  const std::string text = "Message-ID: <given@x>\r\nDate: Thu, 01 Jan 1970 00:00:00 +0000\r\n\r\nb\r\n";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto o = take_as_bdat(text, submission(), {cut});
    EXPECT_EQ(o.stored, text) << "cut at " << cut;
    EXPECT_EQ(o.message_id, "<given@x>") << "cut at " << cut;
  }
}

TEST(MessageIntakeHeaderWatch, ChunkEndingInsideFromDoesNotHideIt) {
  // The stored header's first From: is forged@evil.test; the intake notes the second.
  const std::string text = "From: forged@evil.test\r\nFrom: me@example.test\r\n\r\nb\r\n";
  auto o = take_as_bdat(text, no_limits, {3});
  EXPECT_EQ(o.stored, text);
  EXPECT_EQ(o.from_value, " forged@evil.test");
}

TEST(MessageIntakeHeaderWatch, BareCrStartsAFieldTheHeaderWatchSees) {
  const std::string text = "X-A: 1\rFrom: forged@evil.test\r\nFrom: me@example.test\r\n\r\nb\r\n";
  for (const auto& o : {take_as_bdat(text, no_limits), take_as_data(text, no_limits)}) {
    EXPECT_EQ(stored_from_value(o.stored), " forged@evil.test");
    EXPECT_EQ(o.from_value, " forged@evil.test");
  }
  // A bare CR before the CR LF ends the stored header; Message-ID and Date belong before it.
  auto o = take_as_bdat("Subject: x\r\r\nMore: y\r\n", submission());
  EXPECT_EQ(stored_field_count(o.stored, "Message-ID"), 1u) << testing::PrintToString(o.stored);
}

// Known bug (reported): after a bare CR that ends a piece, take_line hands take_segment
// an empty, incomplete rest, which sets line_start_ to false although the stored text
// is at a line start; a CR LF right after is then not seen as the empty line that ends
// the header (message_intake.cpp, MessageIntake::take_line / take_segment). BDAT only:
// no DATA piece ends in a CR that an empty line end follows.
TEST(MessageIntakeHeaderWatch, BareCrEndingAPieceKeepsTheLineStart) {
  // BDAT: "Subject: a" CR | CR LF "body": the stored header ends before "body".
  const std::string text = "Subject: a\r\r\nbody\r\n";
  auto whole = without_added_values(take_as_bdat(text, submission()));
  auto split = take_as_bdat(text, submission(), {12});
  EXPECT_EQ(stored_field_count(split.stored, "Message-ID"), 1u) << testing::PrintToString(split.stored);
  EXPECT_EQ(without_added_values(split), whole);
}

// A line end counts once per line, not once per piece.
TEST(MessageIntakeHeaderWatch, HeaderSizeDoesNotDependOnChunks) {
  IntakeLimits limits;
  limits.max_header_size = 20;
  const std::string fits = "Subject: 012345678\r\n\r\nb\r\n";    // a field of 20 octets with its CR LF
  const std::string text = "Subject: 0123456789\r\n\r\nb\r\n";   // 21
  ASSERT_EQ(take_as_bdat(fits, limits).refusal, Refusal::none);
  ASSERT_EQ(take_as_bdat(text, limits).refusal, Refusal::header_too_big);
  for (std::size_t cut = 0; cut <= fits.size(); ++cut)
    EXPECT_EQ(take_as_bdat(fits, limits, {cut}).refusal, Refusal::none) << "cut at " << cut;
}

}  // namespace
}  // namespace dirmail::smtp
