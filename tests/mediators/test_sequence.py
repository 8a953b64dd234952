"""The sequence mediator: running named sequences with parameters."""

from __future__ import annotations

import pytest

from interlace.errors import ConfigError, MediationError

from .conftest import CompileFlows
from .harness import main_sequence, message

GREET = """
sequence: Greet
parameters: [who, count]
flow:
  - variable: {name: seen, value: "${params.functionParams}"}
  - payload: {json: {greeting: "Hello ${params.functionParams.who}", count: "${params.functionParams.count}"}}
"""


async def test_parameters_are_visible_in_the_sequence_and_restored_after_it(
    compile_flows: CompileFlows,
) -> None:
    flows = compile_flows(
        {"sequences/greet.yaml": GREET},
        flow="""
        - sequence: {name: Greet, parameters: {who: "${payload.name}", count: 2}}
        - variable: {name: after, value: "${params.functionParams}"}
        """,
    )
    ctx = message({"name": "Ada"})
    ctx.params.function = {"outer": 1}
    await flows.run(ctx)
    assert ctx.variables["seen"] == {"who": "Ada", "count": 2}
    assert ctx.payload.json() == {"greeting": "Hello Ada", "count": 2}
    assert ctx.variables["after"] == {"outer": 1}
    assert ctx.params.function == {"outer": 1}


async def test_the_shorthand_runs_a_sequence_defined_in_another_file(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        {"sequences/greet.yaml": GREET}, flow="- sequence: Greet\n- variable: {name: after, value: 1}"
    )
    ctx = await flows.run(message({}))
    assert ctx.payload.json() == {"greeting": "Hello ", "count": None}
    assert ctx.variables["after"] == 1


async def test_a_respond_in_a_called_sequence_ends_the_calling_flow(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        {"sequences/reject.yaml": main_sequence("- respond: {status: 409, json: {error: taken}}", "Reject")},
        flow="- sequence: Reject\n- variable: {name: reached, value: true}",
    )
    ctx = message({})
    assert await flows.sequence().mediate(ctx) is False
    assert ctx.reply is not None and ctx.reply.status == 409
    assert ctx.reply.payload.json() == {"error": "taken"}
    assert ctx.variables == {}


async def test_parameters_are_restored_when_the_sequence_fails(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        {"sequences/fail.yaml": main_sequence("- throw-error: boom", "Fail")},
        flow="- sequence: {name: Fail, parameters: {x: 1}}",
    )
    ctx = message({})
    with pytest.raises(MediationError, match=r"^boom$"):
        await flows.run(ctx)
    assert ctx.params.function == {}


async def test_sequences_may_call_themselves(compile_flows: CompileFlows) -> None:
    countdown = main_sequence(
        """
        - filter:
            condition: "${vars.n > 0}"
            then:
              - enrich: {source: "${vars.n}", target: vars.seen, action: append}
              - variable: {name: n, value: "${vars.n - 1}"}
              - sequence: Countdown
        """,
        "Countdown",
    )
    flows = compile_flows({"sequences/countdown.yaml": countdown})
    ctx = await flows.run(message({}, variables={"n": 3}), "Countdown")
    assert ctx.variables["seen"] == [3, 2, 1]


RESERVE = """
sequence: Reserve
parameters:
  - hospital
  - {name: doctor, required: true}
  - {name: fee, default: 500}
flow:
  - payload:
      json:
        hospital: "${params.functionParams.hospital}"
        doctor: "${params.functionParams.doctor}"
        fee: "${params.functionParams.fee}"
"""


async def test_a_parameter_not_given_takes_its_default(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        {"sequences/reserve.yaml": RESERVE},
        flow='- sequence: {name: Reserve, parameters: {doctor: "${payload.doctor}"}}',
    )
    ctx = await flows.run(message({"doctor": "thomas"}))
    assert ctx.payload.json() == {"hospital": None, "doctor": "thomas", "fee": 500}
    assert ctx.params.function == {}


async def test_a_given_parameter_overrides_its_default(compile_flows: CompileFlows) -> None:
    flows = compile_flows(
        {"sequences/reserve.yaml": RESERVE},
        flow="- sequence: {name: Reserve, parameters: {doctor: a, fee: 7, hospital: h}}",
    )
    assert (await flows.run(message({}))).payload.json() == {"hospital": "h", "doctor": "a", "fee": 7}


def test_undeclared_and_missing_required_parameters_are_load_time_errors(
    compile_flows: CompileFlows,
) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_flows(
            {"sequences/reserve.yaml": RESERVE},
            flow="- sequence: {name: Reserve, parameters: {hospitl: x}}",
        )
    assert isinstance(caught.value.detail, list)
    problems = [(str(problem), problem.hint) for problem in caught.value.detail]
    assert problems == [
        (
            "sequence 'Reserve' has no parameter 'hospitl' at sequences/main.yaml:3",
            "did you mean 'hospital'?",
        ),
        (
            "sequence 'Reserve' needs parameter 'doctor' at sequences/main.yaml:3",
            "give it: parameters: {doctor: ...}",
        ),
    ]


def test_a_required_parameter_takes_no_default(compile_flows: CompileFlows) -> None:
    with pytest.raises(ConfigError, match="parameter 'x' is required, so it takes no default"):
        compile_flows(
            {
                "sequences/s.yaml": "sequence: S\nparameters: [{name: x, required: true, default: 1}]\nflow: []\n"
            }
        )
