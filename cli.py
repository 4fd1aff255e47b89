"""`nianbao`: the command line, a thin layer over the library.

Each subcommand is one `cmd_*` function registered in `build_parser`; the work happens in
ingest/, vectorstore/ and assistant/. Exit code 2 means the input could not be read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


# -- extract --------------------------------------------------------------------------------------
def cmd_extract(args) -> int:
    from ingest.errors import ExtractError
    from ingest.extract import extract
    from ingest.summary import summarize
    try:
        report = extract(args.file)
    except ExtractError as e:
        return _fail(e.message)
    if args.json:
        _print_json(report.to_json())
    else:
        print(summarize(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告助手")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("extract", help="读取一份年报，输出结构化结果")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="输出 JSON（SCHEMA.md 格式，含出处）")
    s.set_defaults(func=cmd_extract)

    # further subcommands are registered below, one block each
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
