#pragma once
// A strict little reader of the reports the tests compose: it splits the message
// into its MIME parts by the boundary the header names and the delivery-status part
// into field groups (RFC 3464 §2.1), independently of the composer's code.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dirmail::queue::testing {

// "Name: value" fields of a header or a DSN group, unfolded, names lower-cased.
using Fields = std::multimap<std::string, std::string>;

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline Fields parse_fields(std::string_view block) {
  Fields out;
  std::string unfolded;
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (block.substr(i, 2) == "\r\n" && i + 2 < block.size() && (block[i + 2] == ' ' || block[i + 2] == '\t')) {
      ++i;
      continue;
    }
    unfolded += block[i];
  }
  std::size_t pos = 0;
  while (pos < unfolded.size()) {
    auto end = unfolded.find("\r\n", pos);
    if (end == std::string::npos) end = unfolded.size();
    std::string line = unfolded.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) continue;
    auto colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "not a field: " << line;
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    out.emplace(lower(line.substr(0, colon)), value);
  }
  return out;
}

inline std::string field(const Fields& f, std::string_view name) {
  auto it = f.find(std::string(name));
  return it == f.end() ? std::string("<absent>") : it->second;
}

struct Part {
  Fields fields;
  std::string header;
  std::string body;
};

struct Report {
  Fields fields;
  std::string boundary;
  std::vector<Part> parts;
  bool closed = false;  // the close delimiter "--boundary--" was found
};

inline std::pair<std::string, std::string> split_header(std::string_view message) {
  auto end = message.find("\r\n\r\n");
  if (end == std::string_view::npos) return {std::string(message), {}};
  return {std::string(message.substr(0, end + 2)), std::string(message.substr(end + 4))};
}

inline std::string parameter(std::string_view content_type, std::string_view name) {
  std::string lowered = lower(content_type);
  auto at = lowered.find(std::string(name) + "=");
  if (at == std::string::npos) return {};
  std::string_view v = content_type.substr(at + name.size() + 1);
  if (!v.empty() && v.front() == '"') return std::string(v.substr(1, v.find('"', 1) - 1));
  return std::string(v.substr(0, v.find_first_of("; ")));
}

inline Report read_report(std::string_view message) {
  Report r;
  auto [header, body] = split_header(message);
  r.fields = parse_fields(header);
  r.boundary = parameter(field(r.fields, "content-type"), "boundary");
  if (r.boundary.empty()) return r;
  const std::string delimiter = "\r\n--" + r.boundary;
  std::string text = "\r\n" + body;  // the first delimiter may follow the header directly
  auto pos = text.find(delimiter);
  while (pos != std::string::npos) {
    auto after = pos + delimiter.size();
    if (text.substr(after, 2) == "--") {
      r.closed = true;
      break;
    }
    EXPECT_EQ(text.substr(after, 2), "\r\n") << "delimiter line not ended by CRLF";
    auto next = text.find(delimiter, after);
    if (next == std::string::npos) break;
    auto [part_header, part_body] = split_header(std::string_view(text).substr(after + 2, next - after - 2));
    r.parts.push_back({parse_fields(part_header), part_header, part_body});
    pos = next;
  }
  return r;
}

// The DSN part's groups: the per-message fields, then one group per recipient.
inline std::vector<Fields> dsn_groups(std::string_view body) {
  std::vector<Fields> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find("\r\n\r\n", pos);
    std::string_view group = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos + 2);
    out.push_back(parse_fields(group));
    if (end == std::string_view::npos) break;
    pos = end + 4;
  }
  return out;
}

}  // namespace dirmail::queue::testing
