#include "cmd/flags.h"

#include <charconv>

#include <sstream>

namespace sidecar::cmd {

Flags& Flags::value(std::string name, std::string help, std::string defaultValue,
                    std::vector<std::string> aliases) {
  for (const auto& a : aliases) {
    aliasTo_[a] = name;
  }
  specs_[name] = Spec{std::move(help), std::move(defaultValue), false, std::move(aliases)};
  return *this;
}

Flags& Flags::toggle(std::string name, std::string help, std::vector<std::string> aliases) {
  for (const auto& a : aliases) {
    aliasTo_[a] = name;
  }
  specs_[name] = Spec{std::move(help), "false", true, std::move(aliases)};
  return *this;
}

const std::string* Flags::canonical(const std::string& spelled) const {
  if (auto it = specs_.find(spelled); it != specs_.end()) {
    return &it->first;
  }
  if (auto it = aliasTo_.find(spelled); it != aliasTo_.end()) {
    return &it->second;
  }
  return nullptr;
}

Expected<void> Flags::parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> inlineValue;
    if (auto eq = body.find('='); eq != std::string::npos) {
      inlineValue = body.substr(eq + 1);
      body.resize(eq);
    }
    const std::string* name = canonical(body);
    if (name == nullptr) {
      return fail("unknown flag: " + arg);
    }
    const Spec& spec = specs_.at(*name);
    if (spec.isToggle) {
      std::string v = inlineValue.value_or("true");
      if (v != "true" && v != "false" && v != "1" && v != "0") {
        return fail("flag " + arg + " takes true or false, got '" + v + "'");
      }
      values_[*name] = (v == "true" || v == "1") ? "true" : "false";
      continue;
    }
    if (inlineValue) {
      values_[*name] = *inlineValue;
    } else if (i + 1 < args.size()) {
      values_[*name] = args[++i];
    } else {
      return fail("flag " + arg + " needs a value");
    }
  }
  return {};
}

const std::string& Flags::get(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) {
    return it->second;
  }
  return specs_.at(name).defaultValue;
}

bool Flags::isSet(const std::string& name) const {
  return values_.count(name) != 0;
}

bool Flags::on(const std::string& name) const {
  return get(name) == "true";
}

Expected<int64_t> Flags::integer(const std::string& name, int64_t min, int64_t max) const {
  const std::string& text = get(name);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    return fail("--" + name + ": '" + text + "' is not a whole number from " + std::to_string(min) +
                " to " + std::to_string(max));
  }
  return value;
}

std::string Flags::usage() const {
  std::ostringstream out;
  for (const auto& [name, spec] : specs_) {
    std::string spelled = "--" + name;
    for (const auto& a : spec.aliases) {
      spelled += (a.size() == 1 ? ", -" : ", --") + a;
    }
    out << "  " << spelled;
    if (!spec.isToggle) {
      out << " <value>";
    }
    out << "\n      " << spec.help;
    if (!spec.isToggle && !spec.defaultValue.empty()) {
      out << " (default \"" << spec.defaultValue << "\")";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace sidecar::cmd
