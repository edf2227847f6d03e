#pragma once
// The MIME fields of one part's header (RFC 2045 §5-6, RFC 2183, RFC 3066, RFC 2557):
// what BODYSTRUCTURE reports and what decides how a part's body is read.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dirmail::imap {

inline constexpr std::size_t max_content_params = 20;

using ContentParams = std::vector<std::pair<std::string, std::string>>;  // names upper-cased

struct ContentType {
  std::string type;     // upper case: "TEXT"
  std::string subtype;  // upper case: "PLAIN"
  ContentParams params;
  bool multipart() const { return type == "MULTIPART"; }
  // An encapsulated message whose header and body can be read (RFC 2046 §5.2.1, RFC 6532).
  bool message() const { return type == "MESSAGE" && (subtype == "RFC822" || subtype == "GLOBAL"); }
  std::string_view param(std::string_view name) const;  // name in upper case; "" when absent
};

struct ContentDisposition {
  std::string type;  // upper case: "ATTACHMENT"
  ContentParams params;
};

struct ContentFields {
  ContentType type;
  std::optional<std::string> id, description, md5, location;
  std::string encoding;  // upper case; "7BIT" when absent
  std::optional<ContentDisposition> disposition;
  std::vector<std::string> languages;
};

// "type/subtype; name=value; name="quoted value"" (RFC 2045 §5.1); comments skipped.
// nullopt when there is no valid type/subtype.
std::optional<ContentType> parse_content_type(std::string_view value);
// "attachment; filename=x.pdf" (RFC 2183); nullopt without a valid type.
std::optional<ContentDisposition> parse_content_disposition(std::string_view value);

// The fields of a part header. A part without a (valid) Content-Type is text/plain, or
// message/rfc822 when it is a `digest_child` of multipart/digest (RFC 2046 §5.1.5).
ContentFields content_fields(std::string_view header, bool digest_child);

}  // namespace dirmail::imap
