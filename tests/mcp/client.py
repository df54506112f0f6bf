"""Drives /mcp with the official MCP Python SDK (`mcp` on PyPI), a client no one here wrote.

Usage: client.py http://127.0.0.1:8000/mcp

Connects twice, once with the initialize handshake (protocol 2025-11-25, with a session)
and once as the SDK does by default (discovery, 2026-07-28), and each time lists the tools,
calls every one with arguments that must succeed, and reads the error results of calls
that must fail. Exits non-zero, saying what went wrong, on the first failed expectation.
"""

import asyncio
import json
import sys

from mcp import Client

OPERATION_ARGUMENTS = {
    "TrustLeadershipTeam": {"code": "RJ1"},
    "IcbTrusts": {"code": "QWE"},
    "RoleDevelopment": {"code": "chief-executive"},
    "CmiAccreditedCourses": {"subject": "management"},
    "CareerPathFromRole": {"code": "ward-manager"},
}

BUILT_IN = {"search", "fetch", "introspect", "validate", "execute"}


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


async def call_ok(client: Client, name: str, arguments: dict) -> dict:
    result = await client.call_tool(name, arguments)
    expect(not result.is_error, f"{name}({arguments}) failed: {text_of(result)}")
    expect(isinstance(result.structured_content, dict), f"{name} gave no structured content")
    return result.structured_content


async def call_error(client: Client, name: str, arguments: dict) -> str:
    result = await client.call_tool(name, arguments)
    message = text_of(result)
    expect(result.is_error is True, f"{name}({arguments}) should fail, answered: {message}")
    expect(message != "", f"{name} failed without a message")
    return message


async def exercise(url: str, mode: str, expected_version: str) -> list[str]:
    called = []
    async with Client(url, mode=mode) as client:
        expect(
            client.protocol_version == expected_version,
            f"mode {mode}: negotiated {client.protocol_version}, expected {expected_version}",
        )
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        expected_tools = BUILT_IN | set(OPERATION_ARGUMENTS)
        expect(expected_tools <= set(tools), f"missing tools: {sorted(expected_tools - set(tools))}")
        for tool in tools.values():
            expect(bool(tool.description), f"{tool.name} has no description")
            expect(tool.input_schema.get("type") == "object", f"{tool.name} has no input schema")

        found = await call_ok(client, "search", {"query": "Mary Seacole"})
        results = found["results"]
        expect(len(results) > 0, "search found nothing for Mary Seacole")
        first = results[0]
        expect(all(first.get(key) for key in ("id", "title", "url")), f"a search result lacks id/title/url: {first}")
        called.append("search")

        record = await call_ok(client, "fetch", {"id": first["id"]})
        expect(record["id"] == first["id"], "fetch answered another record")
        expect("Sources:" in record["text"] and "[1]" in record["text"], "fetch text has no citations")
        expect(record["url"].endswith("/records/" + first["id"]), f"fetch url: {record['url']}")
        expect(record["metadata"]["sources"], "fetch metadata has no sources")
        called.append("fetch")

        organisation = await call_ok(client, "introspect", {"typeName": "Organisation"})
        expect(any(field["name"] == "posts" for field in organisation["fields"]), "introspect lacks posts")
        called.append("introspect")

        verdict = await call_ok(client, "validate", {"query": "{ roles { code } }"})
        expect(verdict["valid"] is True, f"validate: {verdict}")
        called.append("validate")

        answer = await call_ok(client, "execute", {"query": "{ organisation(code: \"QWE\") { kind } }"})
        expect(answer["data"] == {"organisation": {"kind": "ICB"}}, f"execute: {answer}")
        called.append("execute")

        for name, arguments in OPERATION_ARGUMENTS.items():
            answer = await call_ok(client, name, arguments)
            expect(answer["data"] is not None and not answer.get("errors"), f"{name}: {answer}")
            called.append(name)

        # Errors a model must be able to read and act on.
        unknown = await call_error(client, "TrustLeadershipTeam", {"code": "QWX"})
        expect("NOT_FOUND" in unknown and "search" in unknown, f"unknown code message: {unknown}")
        refused = await call_error(client, "execute", {"query": "mutation { retireCourse(code: \"x\") { course { code } } }"})
        expect("READ_ONLY" in refused, f"mutation message: {refused}")
        missing = await call_error(client, "fetch", {"id": "bm8tc3VjaC1pZA"})
        expect("search" in missing, f"unknown id message: {missing}")
    return called


async def main(url: str) -> None:
    for mode, version in (("legacy", "2025-11-25"), ("auto", "2026-07-28")):
        called = await exercise(url, mode, version)
        print(json.dumps({"mode": mode, "protocolVersion": version, "toolsCalled": called}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: client.py <mcp url>")
    asyncio.run(main(sys.argv[1]))
