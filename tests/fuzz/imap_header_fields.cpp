// Fuzzes the header block reader (header_fields.hpp): split_header_fields,
// field_value, first_field_value and filter_header_fields (BODY[HEADER.FIELDS]).
// Input: a line of space-separated field names (the first 8 count), LF, then the
// header block.
// The fields must be what a line-by-line model finds (a field is a line with a name
// of printable ASCII before its colon, plus the lines folded under it, up to the first
// empty line; at most max_header_fields), each raw field a verbatim slice of the
// input; the filters keep exactly the listed (or unlisted) fields in order, end with
// CRLF, and filtering their output again changes nothing.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/base/header_fields.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

std::string_view line_at(std::string_view text, std::size_t pos) {
  const auto lf = text.find('\n', pos);
  return text.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos + 1);
}

std::vector<HeaderField> model(std::string_view header) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < header.size() && fields.size() < max_header_fields) {
    const std::string_view first = line_at(header, pos);
    if (first == "\n" || first == "\r\n") break;  // the empty line ends the header
    std::size_t end = pos + first.size();
    while (end < header.size() && (header[end] == ' ' || header[end] == '\t')) end += line_at(header, end).size();
    const auto colon = first.find(':');
    bool valid = colon != std::string_view::npos && colon > 0;
    for (std::size_t i = 0; valid && i < colon; ++i) {
      const auto u = static_cast<unsigned char>(first[i]);
      valid = u > 32 && u < 127;
    }
    if (valid) fields.push_back({first.substr(0, colon), header.substr(pos, end - pos)});
    pos = end;
  }
  return fields;
}

bool listed(std::string_view name, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (iequals(name, n)) return true;
  return false;
}

std::string expected_filter(const std::vector<HeaderField>& fields, const std::vector<std::string>& names, bool exclude) {
  std::string out;
  for (const auto& f : fields) {
    if (listed(f.name, names) == exclude) continue;
    out += f.raw;
    if (f.raw.back() != '\n') out += "\r\n";
  }
  return out + "\r\n";
}

void check_value(const HeaderField& f) {
  const std::string value = field_value(f);
  std::string unfolded;
  for (char c : f.raw.substr(f.name.size() + 1))
    if (c != '\r' && c != '\n') unfolded += c;
  FUZZ_CHECK(value == trim(unfolded));
  FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  if (!value.empty()) {
    FUZZ_CHECK(value.front() != ' ' && value.front() != '\t');
    FUZZ_CHECK(value.back() != ' ' && value.back() != '\t');
  }
}

void check_filter(std::string_view header, const std::vector<HeaderField>& fields, const std::vector<std::string>& names,
                  bool exclude) {
  const std::string filtered = filter_header_fields(header, names, exclude);
  FUZZ_CHECK(filtered == expected_filter(fields, names, exclude));
  FUZZ_CHECK(filtered.size() >= 2 && filtered.compare(filtered.size() - 2, 2, "\r\n") == 0);
  // The result is itself a header block with the same fields: filtering it again is a no-op.
  FUZZ_CHECK(filter_header_fields(filtered, names, exclude) == filtered);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  std::vector<std::string> names;
  for (auto n : split(fuzz::take_field(input, '\n'), ' '))
    if (!n.empty() && names.size() < 8) names.emplace_back(n);  // each costs a pass over the header
  const std::string_view header = input;

  const auto fields = split_header_fields(header);
  const auto expected = model(header);
  FUZZ_CHECK(fields.size() == expected.size());
  FUZZ_CHECK(fields.size() <= max_header_fields);
  const char* previous_end = header.data();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const HeaderField& f = fields[i];
    FUZZ_CHECK(f.name == expected[i].name && f.raw == expected[i].raw);
    // Verbatim, in order, without overlap; the name starts the raw field, then ':'.
    FUZZ_CHECK(fuzz::within(f.raw, header) && f.raw.data() >= previous_end);
    previous_end = f.raw.data() + f.raw.size();
    FUZZ_CHECK(f.name.data() == f.raw.data() && f.raw.size() > f.name.size() && f.raw[f.name.size()] == ':');
    // Every line after the first is folded (starts with white space).
    for (std::size_t lf = f.raw.find('\n'); lf != std::string_view::npos && lf + 1 < f.raw.size(); lf = f.raw.find('\n', lf + 1))
      FUZZ_CHECK(f.raw[lf + 1] == ' ' || f.raw[lf + 1] == '\t');
    FUZZ_CHECK(f.raw.back() == '\n' || f.raw.data() + f.raw.size() == header.data() + header.size());
    check_value(f);
  }

  for (const auto& name : names) {
    std::optional<std::string> first;
    for (const auto& f : fields)
      if (!first && iequals(f.name, name)) first = field_value(f);
    FUZZ_CHECK(first_field_value(header, name) == first);
  }

  check_filter(header, fields, names, false);
  check_filter(header, fields, names, true);
  // Listing nothing keeps (or drops) everything.
  check_filter(header, fields, {}, true);
  FUZZ_CHECK(filter_header_fields(header, {}, false) == "\r\n");
  return 0;
}
