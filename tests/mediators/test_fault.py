"""The fault mediator: SOAP 1.1, SOAP 1.2 and JSON faults with the texts rendered and the status set."""

from __future__ import annotations

import pytest
from lxml import etree

from interlace.errors import ConfigError

from .conftest import CompileFlows
from .harness import message

SOAP11 = "{http://schemas.xmlsoap.org/soap/envelope/}"
SOAP12 = "{http://www.w3.org/2003/05/soap-envelope}"


async def test_a_soap11_fault_carries_code_reason_actor_and_detail(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        flow="""
        - fault: {code: Client, reason: "No doctor <${payload.doctor}>", role: reserve, detail: "${payload.doctor}",
                  status: 400}
        """
    )
    ctx = await flows.run(message({"doctor": "a&b"}))
    assert ctx.status == 400
    assert ctx.payload.content_type == "text/xml; charset=utf-8"
    fault = etree.fromstring(ctx.payload.raw).find(f"{SOAP11}Body/{SOAP11}Fault")
    assert fault is not None
    assert [(child.tag, child.text) for child in fault] == [
        ("faultcode", "soapenv:Client"),
        ("faultstring", "No doctor <a&b>"),
        ("faultactor", "reserve"),
        ("detail", "a&b"),
    ]


async def test_a_soap12_fault_names_its_codes_as_soap12_does(compile_flows: CompileFlows) -> None:
    flows = compile_flows(flow="- fault: {format: soap12, reason: down, node: http://node/x}")
    ctx = await flows.run(message({}))
    assert ctx.status == 500
    assert ctx.payload.content_type == "application/soap+xml; charset=utf-8"
    fault = etree.fromstring(ctx.payload.raw).find(f"{SOAP12}Body/{SOAP12}Fault")
    assert fault is not None
    assert fault.findtext(f"{SOAP12}Code/{SOAP12}Value") == "soapenv:Receiver"
    assert fault.findtext(f"{SOAP12}Reason/{SOAP12}Text") == "down"
    assert fault.findtext(f"{SOAP12}Node") == "http://node/x"


async def test_a_json_fault_is_the_one_error_body_and_the_answer_carries_it(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        flow="""
        - fault: {format: json, code: NO_DOCTOR, reason: "No doctor ${payload.doctor}", status: 404}
        - respond
        """
    )
    ctx = message({"doctor": "x"})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is not None and ctx.reply.status == 404
    assert ctx.reply.payload.json() == {
        "error": {"code": "NO_DOCTOR", "message": "No doctor x", "correlationId": ctx.correlation_id}
    }


def test_a_soap_fault_code_must_be_a_soap_code(compile_flows: CompileFlows) -> None:
    with pytest.raises(ConfigError, match="a soap11 fault code is one of Server, Client"):
        compile_flows(flow="- fault: {code: NO_DOCTOR, reason: x}")
