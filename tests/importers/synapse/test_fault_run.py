"""``makefault`` imported from Synapse answers SOAP 1.1 and 1.2 faults with status 500, and a POX fault
as Interlace's JSON error body with the status the flow sets."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.importers.synapse.serving import serve_case

SOAP11 = "{http://schemas.xmlsoap.org/soap/envelope/}"
SOAP12 = "{http://www.w3.org/2003/05/soap-envelope}"


async def test_imported_faults_answer_as_mi_does(tmp_path: Path) -> None:
    async with serve_case("fault", tmp_path) as client:
        async with client.post("/fault/soap11", json={"problem": "No such doctor"}) as answer:
            assert answer.status == 500
            assert answer.content_type == "text/xml"
            fault = etree.fromstring(await answer.read()).find(f"{SOAP11}Body/{SOAP11}Fault")
            assert fault is not None
            assert fault.findtext("faultcode") == "soapenv:Client"
            assert fault.findtext("faultstring") == "No such doctor"
            assert fault.findtext("faultactor") == "ReservationService"
            assert fault.findtext("detail") == "Check the request"
        async with client.post("/fault/soap12", json={}) as answer:
            assert answer.status == 500
            assert answer.content_type == "application/soap+xml"
            fault = etree.fromstring(await answer.read()).find(f"{SOAP12}Body/{SOAP12}Fault")
            assert fault is not None
            assert fault.findtext(f"{SOAP12}Code/{SOAP12}Value") == "soapenv:Receiver"
            assert fault.findtext(f"{SOAP12}Reason/{SOAP12}Text") == "Hospital unavailable"
            assert fault.findtext(f"{SOAP12}Node") == "http://localhost:8290/fault"
        async with client.post("/fault/pox", json={"problem": "missing doctor"}) as answer:
            assert answer.status == 400
            error = (await answer.json())["error"]
            assert (error["code"], error["message"], error["details"]) == (
                "Server",
                "Invalid request",
                "missing doctor",
            )
            assert error["correlationId"] == answer.headers["X-Correlation-Id"]
