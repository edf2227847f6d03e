// MimeParser, find_mime_part and format_body_structure: the part tree of real message
// shapes, exact byte ranges, the RFC 3501 §6.4.5 part numbers, and the limits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dirmail/imap/body_structure.hpp"
#include "dirmail/imap/message_summary.hpp"
#include "dirmail/imap/mime_structure.hpp"

namespace dirmail::imap {
namespace {

MimePart parse(const std::string& message, std::size_t chunk = 4096) {
  MimeParser parser(256 * 1024);
  for (std::size_t i = 0; i < message.size(); i += chunk) parser.feed(std::string_view(message).substr(i, chunk));
  return parser.finish();
}

std::string body_of(const std::string& message, const MimePart& p) { return message.substr(p.body_offset, p.body_size); }
std::string header_of(const std::string& message, const MimePart& p) {
  return message.substr(p.header_offset, p.header_size);
}

const std::string plain =
    "From: a@example.com\r\nSubject: hi\r\n\r\nline one\r\nline two\r\n";

const std::string two_parts =
    "From: a@example.com\r\n"
    "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--XYZ\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "hello\r\n"
    "--XYZ\r\n"
    "Content-Type: application/pdf; name=a.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a.pdf\"\r\n"
    "\r\n"
    "QUJD\r\n"
    "REVG\r\n"
    "--XYZ--\r\n"
    "epilogue\r\n";

// The RFC 3501 §6.4.5 example shape: parts 1, 2, 3 (message/rfc822 with 3.1, 3.2) and 4
// (multipart with 4.1 and 4.2, a message whose 4.2.2 is multipart/alternative).
const std::string rfc3501_shape =
    "Subject: outer\r\n"
    "Content-Type: multipart/mixed; boundary=b1\r\n"
    "\r\n"
    "--b1\r\n"
    "\r\n"
    "part one\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "xx\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner three\r\n"
    "From: Inner <in@example.org>\r\n"
    "Content-Type: multipart/mixed; boundary=b3\r\n"
    "\r\n"
    "--b3\r\n"
    "\r\n"
    "three one\r\n"
    "--b3\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "3.2\r\n"
    "--b3--\r\n"
    "--b1\r\n"
    "Content-Type: multipart/mixed; boundary=b4\r\n"
    "\r\n"
    "--b4\r\n"
    "Content-Type: image/gif\r\n"
    "\r\n"
    "GIF\r\n"
    "--b4\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner four\r\n"
    "Content-Type: multipart/mixed; boundary=b42\r\n"
    "\r\n"
    "--b42\r\n"
    "\r\n"
    "four two one\r\n"
    "--b42\r\n"
    "Content-Type: multipart/alternative; boundary=b422\r\n"
    "\r\n"
    "--b422\r\n"
    "\r\n"
    "plain\r\n"
    "--b422\r\n"
    "Content-Type: text/richtext\r\n"
    "\r\n"
    "rich\r\n"
    "--b422--\r\n"
    "--b42--\r\n"
    "--b4--\r\n"
    "--b1--\r\n";

}  // namespace

std::string rfc3501_shape_for_summary() { return rfc3501_shape; }

namespace {

TEST(MimeStructure, PlainMessageIsOneTextPart) {
  auto root = parse(plain);
  EXPECT_TRUE(root.children.empty());
  EXPECT_EQ(header_of(plain, root), "From: a@example.com\r\nSubject: hi\r\n\r\n");
  EXPECT_EQ(body_of(plain, root), "line one\r\nline two\r\n");
  EXPECT_EQ(root.body_lines, 2u);
  EXPECT_EQ(format_body_structure(root, true),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)");
  EXPECT_EQ(format_body_structure(root, false), "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2)");
}

TEST(MimeStructure, MultipartPartsHaveExactRanges) {
  auto root = parse(two_parts);
  ASSERT_EQ(root.children.size(), 2u);
  const auto& text = root.children[0];
  const auto& pdf = root.children[1];
  EXPECT_EQ(body_of(two_parts, text), "hello");  // the CRLF before "--XYZ" belongs to the boundary
  EXPECT_EQ(header_of(two_parts, text), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(body_of(two_parts, pdf), "QUJD\r\nREVG");
  EXPECT_EQ(pdf.body_lines, 1u);
  EXPECT_EQ(format_body_structure(root, true),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 0 NIL NIL NIL NIL)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 10 NIL (\"ATTACHMENT\" (\"FILENAME\" "
            "\"a.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XYZ\") NIL NIL NIL)");
  EXPECT_EQ(format_body_structure(root, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 0)"
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 10) \"MIXED\")");
}

TEST(MimeStructure, SameResultWhateverTheChunkSize) {
  for (const std::string* message : {&plain, &two_parts, &rfc3501_shape}) {
    std::string expected = format_body_structure(parse(*message), true);
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
      EXPECT_EQ(format_body_structure(parse(*message, chunk), true), expected) << "chunk " << chunk;
    }
  }
}

TEST(MimeStructure, PartNumbersFollowRfc3501) {
  auto root = parse(rfc3501_shape);
  auto body = [&](std::vector<std::uint32_t> path) -> std::string {
    const MimePart* p = find_mime_part(root, path);
    return p ? body_of(rfc3501_shape, *p) : "<none>";
  };
  EXPECT_EQ(body({1}), "part one");
  EXPECT_EQ(body({2}), "xx");
  EXPECT_EQ(body({3, 1}), "three one");
  EXPECT_EQ(body({3, 2}), "3.2");
  EXPECT_EQ(body({4, 1}), "GIF");
  EXPECT_EQ(body({4, 2, 1}), "four two one");
  EXPECT_EQ(body({4, 2, 2, 1}), "plain");
  EXPECT_EQ(body({4, 2, 2, 2}), "rich");
  EXPECT_EQ(body({5}), "<none>");
  EXPECT_EQ(body({0}), "<none>");
  EXPECT_EQ(body({1, 1}), "<none>");     // a text part has no parts
  EXPECT_EQ(body({4, 1, 1}), "<none>");
  // Part 3 is the whole encapsulated message; its child is that message.
  const MimePart* three = find_mime_part(root, std::vector<std::uint32_t>{3});
  ASSERT_NE(three, nullptr);
  EXPECT_TRUE(body_of(rfc3501_shape, *three).starts_with("Subject: inner three\r\n"));
  EXPECT_TRUE(body_of(rfc3501_shape, *three).ends_with("--b3--"));
  ASSERT_EQ(three->children.size(), 1u);
  EXPECT_EQ(header_of(rfc3501_shape, three->children[0]),
            "Subject: inner three\r\nFrom: Inner <in@example.org>\r\n"
            "Content-Type: multipart/mixed; boundary=b3\r\n\r\n");
  EXPECT_EQ(header_of(rfc3501_shape, *find_mime_part(root, std::vector<std::uint32_t>{4, 1})),
            "Content-Type: image/gif\r\n\r\n");
}

TEST(MimeStructure, EncapsulatedMessageHasEnvelopeAndStructure) {
  auto root = parse(rfc3501_shape);
  std::string s = format_body_structure(root, false);
  EXPECT_NE(s.find("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" "), std::string::npos) << s;
  EXPECT_NE(s.find("\"inner three\" ((\"Inner\" NIL \"in\" \"example.org\"))"), std::string::npos) << s;
  EXPECT_NE(s.find("\"ALTERNATIVE\""), std::string::npos) << s;
  // Parentheses balance: a well-formed list.
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (in_string && s[i] == '\\') { ++i; continue; }
    if (s[i] == '"') in_string = !in_string;
    if (!in_string && s[i] == '(') ++depth;
    if (!in_string && s[i] == ')') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
}

TEST(MimeStructure, BareLineFeedsPaddingAndClosingBoundaryWithoutLineEnd) {
  std::string m =
      "Content-Type: multipart/alternative; boundary=q\n"
      "\n"
      "--q \t\n"
      "\n"
      "one\n"
      "--q\n"
      "Content-Type: text/html\n"
      "\n"
      "<p>two</p>\n"
      "--q--";
  auto root = parse(m);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(body_of(m, root.children[0]), "one");
  EXPECT_EQ(body_of(m, root.children[1]), "<p>two</p>");
  EXPECT_EQ(root.children[1].fields.type.subtype, "HTML");
}

TEST(MimeStructure, BoundaryMustMatchWholly) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b2\r\n\r\n"
      "--b2\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\ninner\r\n"
      "--bX is text, not a boundary\r\n"
      "--b2\r\n\r\nsecond\r\n"
      "--b2--\r\n";
  auto root = parse(m);
  ASSERT_EQ(root.children.size(), 2u);
  ASSERT_EQ(root.children[0].children.size(), 1u);
  EXPECT_EQ(body_of(m, root.children[0].children[0]), "inner\r\n--bX is text, not a boundary");
  EXPECT_EQ(body_of(m, root.children[1]), "second");
}

TEST(MimeStructure, MultipartWithoutBoundaryStillFormatsAsMultipart) {
  std::string m = "Content-Type: multipart/mixed\r\n\r\nno parts here\r\n";
  auto root = parse(m);
  EXPECT_TRUE(root.children.empty());
  EXPECT_EQ(format_body_structure(root, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")");
}

TEST(MimeStructure, DigestPartsDefaultToMessages) {
  std::string m =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nSubject: digested\r\n\r\nbody\r\n"
      "--d--\r\n";
  auto root = parse(m);
  ASSERT_EQ(root.children.size(), 1u);
  EXPECT_TRUE(root.children[0].fields.type.message());
  ASSERT_EQ(root.children[0].children.size(), 1u);
  EXPECT_EQ(body_of(m, root.children[0].children[0]), "body");
}

TEST(MimeStructure, EncodedMessagePartIsALeaf) {
  std::string m =
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4\r\n";
  auto root = parse(m);
  EXPECT_TRUE(root.children.empty());
  EXPECT_EQ(format_body_structure(root, false), "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"BASE64\" 22)");
}

TEST(MimeStructure, ExtensionFields) {
  std::string m =
      "Content-Type: text/plain; charset=iso-2022-jp\r\n"
      "Content-ID: <id1@example>\r\nContent-Description: a note\r\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
      "Content-Disposition: inline\r\nContent-Language: ja, en-US\r\nContent-Location: http://example.com/n\r\n"
      "\r\nx";
  auto root = parse(m);
  EXPECT_EQ(format_body_structure(root, true),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"iso-2022-jp\") \"<id1@example>\" \"a note\" \"7BIT\" 1 0 "
            "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"INLINE\" NIL) (\"ja\" \"en-US\") \"http://example.com/n\")");
}

TEST(MimeStructure, NestingBeyondTheLimitIsBody) {
  std::string m;
  for (std::size_t i = 0; i < 50; ++i) m += "Content-Type: multipart/mixed; boundary=n" + std::to_string(i) + "\r\n\r\n--n" + std::to_string(i) + "\r\n";
  m += "\r\ndeep\r\n";
  auto root = parse(m);
  std::size_t depth = 0;
  for (const MimePart* p = &root; !p->children.empty(); p = &p->children.front()) ++depth;
  EXPECT_EQ(depth + 1, max_mime_depth);
  EXPECT_FALSE(format_body_structure(root, true).empty());
}

TEST(MimeStructure, PartsBeyondTheLimitAreNotListed) {
  std::string m = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (std::size_t i = 0; i < max_mime_parts + 100; ++i) m += "--p\r\n\r\nx\r\n";
  m += "--p--\r\n";
  auto root = parse(m);
  EXPECT_EQ(root.children.size(), max_mime_parts - 1);  // the message itself is a part
}

TEST(MimeStructure, HeaderWithoutEmptyLineIsAllHeader) {
  std::string m = "Content-Type: multipart/mixed; boundary=h\r\n\r\n--h\r\nContent-Type: text/html\r\n--h--\r\n";
  auto root = parse(m);
  ASSERT_EQ(root.children.size(), 1u);
  EXPECT_EQ(root.children[0].body_size, 0u);
  EXPECT_EQ(root.children[0].fields.type.subtype, "HTML");
}

}  // namespace
}  // namespace dirmail::imap

namespace dirmail::imap {
std::string rfc3501_shape_for_summary();
namespace {

TEST(MessageSummary, RoundTripsTheStructureAndTheFields) {
  MimeParser parser(256 * 1024);
  parser.feed(rfc3501_shape_for_summary());
  std::string header(parser.root_header());
  auto total = parser.total_size();
  MessageSummary s = make_summary(parser.finish(), total, header);
  EXPECT_TRUE(s.fields_complete);
  EXPECT_EQ(s.fields, "Subject: outer\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n");
  std::string bytes = encode_summary(s);
  auto back = decode_summary(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(format_body_structure(back->structure, true), format_body_structure(s.structure, true));
  EXPECT_EQ(back->structure.envelope, s.structure.envelope);
  EXPECT_EQ(back->fields, s.fields);
  EXPECT_EQ(back->total, total);
  EXPECT_EQ(encode_summary(*back), bytes);
}

TEST(MessageSummary, DamagedBytesAreRefused) {
  MimeParser parser(1024);
  parser.feed("Subject: x\r\n\r\nbody\r\n");
  MessageSummary s = make_summary(parser.finish(), 20, "Subject: x\r\n\r\n");
  std::string bytes = encode_summary(s);
  ASSERT_TRUE(decode_summary(bytes));
  EXPECT_FALSE(decode_summary(""));
  EXPECT_FALSE(decode_summary("DMS0 " + bytes.substr(5)));
  EXPECT_FALSE(decode_summary(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(decode_summary(bytes + "x"));
  std::string out_of_range = bytes;
  out_of_range.replace(5, 2, "19");  // total 19 < the body's end
  EXPECT_FALSE(decode_summary(out_of_range));
}

TEST(MessageSummary, OnlyTheKeptFieldsAnswerHeaderFields) {
  EXPECT_TRUE(summary_has_fields(std::vector<std::string>{"subject", "FROM", "message-id"}));
  EXPECT_FALSE(summary_has_fields(std::vector<std::string>{"Subject", "X-Spam-Flag"}));
}

}  // namespace
}  // namespace dirmail::imap
