"""Refuse a lock that is missing, cut short, edited by hand or older than pyproject.toml, before anything is built.

    python3 requirements/check_locks.py [requirements]

Standard library only: it runs before any environment exists. Exit 0 and silence when the locks are sound;
exit 1 with what is wrong, in Chinese, otherwise.
"""
from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LOCKS = ("base.lock", "dev.lock", "tools.lock")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")
DIRECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)")
REFRESH = "请运行 make lock 重新生成锁文件（需要能访问软件包源），或从版本库恢复该文件。"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Lock:
    path: Path
    pins: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> "Lock":
        lock = cls(path)
        if not path.is_file():
            lock.problems.append(f"缺少锁文件 {path}。")
            return lock
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            lock.problems.append(f"无法读取锁文件 {path}：{exc}")
            return lock
        current: str | None = None
        hashes = 0
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if raw[:1].isspace():                      # a continuation line of the package above
                item = line.rstrip("\\").strip()
                if current is None or not HASH.match(item):
                    lock.problems.append(f"{path} 第{number}行无法识别：{line[:60]}")
                else:
                    hashes += 1
                continue
            if current is not None and hashes == 0:
                lock.problems.append(f"{path} 中 {current} 没有哈希值。")
            match = PIN.match(line)
            if not match:
                lock.problems.append(f"{path} 第{number}行不是固定版本（名称==版本）：{line[:60]}")
                current, hashes = None, 0
                continue
            current, hashes = canonical(match.group(1)), 0
            lock.pins[current] = match.group(3)
        if current is not None and hashes == 0:
            lock.problems.append(f"{path} 中 {current} 没有哈希值（文件可能不完整）。")
        if not lock.pins and not lock.problems:
            lock.problems.append(f"锁文件 {path} 是空的。")
        return lock


def direct_pins(pyproject: Path, extras: tuple[str, ...] = ()) -> dict[str, str]:
    """The `name==version` dependencies pyproject.toml asks for (unpinned ones are the lock's to choose)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = list(project.get("dependencies", []))
    for extra in extras:
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    pins = {}
    for requirement in wanted:
        match = DIRECT.match(requirement.strip())
        if match:
            pins[canonical(match.group(1))] = match.group(3)
    return pins


def problems(folder: Path, pyproject: Path) -> list[str]:
    locks = {name: Lock.read(folder / name) for name in LOCKS}
    found = [p for lock in locks.values() for p in lock.problems]
    if found:
        return found
    for name, extras in (("base.lock", ()), ("dev.lock", ("dev",))):
        for package, version in direct_pins(pyproject, extras).items():
            locked = locks[name].pins.get(package)
            if locked is None:
                found.append(f"pyproject.toml 要求 {package}=={version}，但 {folder / name} 中没有它。")
            elif locked != version:
                found.append(f"pyproject.toml 要求 {package}=={version}，{folder / name} 锁定的是 {locked}。")
    base, dev = locks["base.lock"].pins, locks["dev.lock"].pins
    for package, version in base.items():
        if dev.get(package) not in (None, version):
            found.append(f"{package} 在 base.lock 中是 {version}，在 dev.lock 中是 {dev[package]}：两份锁文件须一致。")
    return found


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent
    found = problems(folder, folder.parent / "pyproject.toml")
    if found:
        print("锁文件有问题，未安装任何内容：", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print(REFRESH, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
