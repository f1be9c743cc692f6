#pragma once

// A small std::expected stand-in: GCC 12 ships <expected> only in C++23 mode and clang 14
// (used for libFuzzer builds) cannot compile libstdc++'s version, so the project carries its
// own. The surface mirrors std::expected so a later switch is a rename.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.h"

namespace sidecar {

template <class E>
class Unexpected {
 public:
  explicit Unexpected(E e) : error_(std::move(e)) {}
  E& error() & { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};

// An unclassified error (ErrorCode::Unknown): for failures no caller branches on.
inline Unexpected<Error> fail(std::string message) {
  return Unexpected<Error>(Error(std::move(message)));
}

inline Unexpected<Error> fail(ErrorCode code, std::string message) {
  return Unexpected<Error>(Error(code, std::move(message)));
}

template <class T, class E = Error>
class Expected {
 public:
  Expected()
    requires std::is_default_constructible_v<T>
      : storage_(std::in_place_index<0>) {}
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  template <class G>
  Expected(Unexpected<G> u) : storage_(std::in_place_index<1>, E(std::move(u).error())) {}

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(storage_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(storage_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& {
    assert(!has_value());
    return std::get<1>(storage_);
  }
  E&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(storage_));
  }

 private:
  std::variant<T, E> storage_;
};

// Expected<void>: success or an error.
template <class E>
class Expected<void, E> {
 public:
  Expected() = default;
  template <class G>
  Expected(Unexpected<G> u) : error_(E(std::move(u).error())), failed_(true) {}

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const E& error() const& {
    assert(failed_);
    return error_;
  }

 private:
  E error_{};
  bool failed_ = false;
};

}  // namespace sidecar
