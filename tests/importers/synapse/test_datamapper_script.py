"""Reading a data mapper configuration: the assignments of its mapping function become the output
document; anything else is a problem at its line."""

from __future__ import annotations

from interlace.importers.synapse.datamapper_script import read_mapping
from interlace.importers.synapse.datamapper_tokens import Problem


def test_a_mapping_function_taking_input_and_output_converts_with_its_own_names() -> None:
    script = """
function map_S_employee_S_engineer(emp, eng) {
    eng.fullName = emp.first.concat(" " + emp.last);
    eng.note = 'it\\'s "ok"' + emp.id;
    eng.host = DM_PROPERTIES.TRANSPORT['Host'];
    eng.trace = DM_PROPERTIES.TRANSPORT['X-Trace-Id'];
    eng.upper = "ab".toUpperCase();
    return eng;
}
"""
    mapping = read_mapping(script, None, None)
    assert mapping.problems == []
    assert mapping.document == {
        "fullName": "${payload.first} ${payload.last}",
        "note": 'it\'s "ok"${payload.id}',
        "host": "${headers.Host}",
        "trace": '${headers["X-Trace-Id"]}',
        "upper": '${toUpper("ab")}',
    }


def test_a_literal_dollar_brace_stays_text() -> None:
    script = 'map_S_a_S_b = function(){ var outputb = {}; outputb.t = "${x}"; return outputb; };'
    assert read_mapping(script, "a", "b").document == {"t": "\\${x}"}


def test_conditions_unknown_names_and_other_methods_are_problems_at_their_lines() -> None:
    script = """map_S_a_S_b = function(){
var outputb = {};
if (inputa.vip) {
  outputb.level = "gold";
}
outputb.when = new Date();
outputb.part = inputa.name.substring(0, 2);
outputb.kept = inputa.name;
return outputb;
};"""
    mapping = read_mapping(script, "a", "b")
    assert mapping.problems == [
        Problem(3, "condition `if`", "a value chosen per message; only assignments to the output convert"),
        Problem(6, "value `new`", "only input fields, constants and joined text convert"),
        Problem(7, "substring()", "no Interlace function does the same here"),
    ]
    assert mapping.document == {"kept": "${payload.name}"}


def test_a_script_without_a_mapping_function_is_one_problem() -> None:
    assert read_mapping("var x = 1;", "a", "b").problems == [
        Problem(1, "script", "no map_S_<input>_S_<output> function")
    ]


def test_a_mapping_returning_an_object_literal_from_a_function_of_its_own_converts() -> None:
    script = """
interface Root {
    id: number
    name: string
}

function mapFunction(input: Root): OutputRoot {
    return {
        id: input.id,
        "display name": input.name ?? "unknown",
        address: {
            city: input.address.city,
            zip: ""
        },
        tags: input.tags.map((tag) => { return tag.name })
    }
}

// generated: keep
function map_S_root_S_root() {
    return mapFunction(inputroot);
}
"""
    mapping = read_mapping(script, "root", "root")
    assert mapping.document == {
        "id": "${payload.id}",
        "display name": '${payload.name ?? "unknown"}',
        "address": {"city": "${payload.address.city}", "zip": ""},
    }
    assert mapping.problems == [Problem(15, "array .map()", "arrays are filled by loops")]


def test_local_constants_are_problems() -> None:
    script = """function mapFunction(input) {
    const kind = input.kind;
    return {kind: kind};
}
function map_S_root_S_root() { return mapFunction(inputroot); }"""
    assert read_mapping(script, "root", "root").problems == [
        Problem(
            2,
            "local variable kind",
            "a value kept between statements; only assignments to the output convert",
        ),
        Problem(3, "value `kind`", "only input fields, constants and joined text convert"),
    ]


def test_a_variable_declared_and_never_read_is_no_problem() -> None:
    script = """map_S_a_S_b = function(){
var outputb = {};
var count_i_0 = 0;
outputb.id = inputa.id.toString();
return outputb;
};"""
    mapping = read_mapping(script, "a", "b")
    assert (mapping.document, mapping.problems) == ({"id": "${string(payload.id)}"}, [])
