#include "dirmail/base/header_fields.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail {
namespace {

// The line starting at `pos`, including its LF (if any).
std::string_view line_at(std::string_view text, std::size_t pos) {
  std::size_t lf = text.find('\n', pos);
  return text.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos + 1);
}

bool empty_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

}  // namespace

std::vector<HeaderField> split_header_fields(std::string_view header) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < header.size() && fields.size() < max_header_fields) {
    std::string_view line = line_at(header, pos);
    if (empty_line(line)) break;
    std::size_t start = pos;
    pos += line.size();
    // Continuation lines belong to the field above.
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) pos += line_at(header, pos).size();
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view name = line.substr(0, colon);
    bool valid = true;
    for (char c : name) {
      auto u = static_cast<unsigned char>(c);
      if (u <= 32 || u >= 127) valid = false;
    }
    if (!valid) continue;
    fields.push_back({name, header.substr(start, pos - start)});
  }
  return fields;
}

std::string field_value(const HeaderField& field) {
  std::string_view v = field.raw.substr(field.name.size() + 1);
  std::string out;
  out.reserve(v.size());
  for (char c : v)
    if (c != '\r' && c != '\n') out.push_back(c);
  return std::string(trim(out));
}

std::optional<std::string> first_field_value(std::string_view header, std::string_view name) {
  for (const auto& f : split_header_fields(header))
    if (iequals(f.name, name)) return field_value(f);
  return std::nullopt;
}

std::string filter_header_fields(std::string_view header, std::span<const std::string> names, bool exclude) {
  std::string out;
  for (const auto& f : split_header_fields(header)) {
    bool listed = false;
    for (const auto& n : names)
      if (iequals(f.name, n)) listed = true;
    if (listed == exclude) continue;
    out.append(f.raw);
    if (out.back() != '\n') out.append("\r\n");  // the last field of a header cut short
  }
  out.append("\r\n");
  return out;
}

}  // namespace dirmail
