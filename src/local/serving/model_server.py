"""sagespec's model server for local endpoints on the process runtime (no Docker).

Standard library only. It serves the SageMaker framework containers' handler convention:

    model_fn(model_dir) -> model
    input_fn(request_body, content_type) -> data
    predict_fn(data, model) -> prediction
    output_fn(prediction, accept) -> body | (body, content_type)
or  transform_fn(model, request_body, content_type, accept) -> body | (body, content_type)

from the user's inference script: SAGEMAKER_PROGRAM in SAGEMAKER_SUBMIT_DIRECTORY, as the framework
containers read it, else <model dir>/code/inference.py. Handlers the script leaves out get the
defaults below (CSV and JSON; NPY when numpy is importable).

    GET  /ping                   200 once the model is loaded (it is loaded before listening)
    POST /invocations            one prediction
    GET  /execution-parameters   what batch transform should use for this server

It listens on 127.0.0.1:SAGEMAKER_BIND_TO_PORT (default 8080), never on other interfaces.
"""

import csv
import importlib.util
import io
import json
import os
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HandlerError(Exception):
    """An error the caller caused; its status goes back to them (415, 406, ...)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------------------------------
# default handlers


def _number(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _media(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def default_model_fn(model_dir):
    raise HandlerError(
        500,
        "the inference script defines no model_fn(model_dir): write one that loads the model from "
        + model_dir,
    )


def default_input_fn(body, content_type):
    media = _media(content_type) or "application/json"
    if media == "application/json":
        return json.loads(body.decode("utf-8"))
    if media == "text/csv":
        rows = [[_number(x) for x in row] for row in csv.reader(io.StringIO(body.decode("utf-8"))) if row]
        return rows
    if media == "application/x-npy":
        try:
            import numpy  # noqa: PLC0415  (optional)
        except ImportError:
            raise HandlerError(415, "application/x-npy needs numpy, which this Python lacks")
        return numpy.load(io.BytesIO(body), allow_pickle=False)
    raise HandlerError(415, "unsupported content type %r (supported: application/json, text/csv, application/x-npy)" % media)


def default_predict_fn(data, model):
    if callable(model):
        return model(data)
    if hasattr(model, "predict"):
        return model.predict(data)
    raise HandlerError(500, "the model is neither callable nor has predict(); define predict_fn(data, model)")


def _plain(value):
    """numpy arrays and scalars to lists and numbers, without importing numpy."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def default_output_fn(prediction, accept):
    media = _media(accept)
    if media in ("", "*/*"):
        media = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
    value = _plain(prediction)
    if media == "application/json":
        return json.dumps(value), "application/json"
    if media == "text/csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        rows = value if isinstance(value, list) else [value]
        for row in rows:
            row = _plain(row)
            writer.writerow(row if isinstance(row, list) else [row])
        return out.getvalue(), "text/csv"
    if media == "application/x-npy":
        try:
            import numpy  # noqa: PLC0415
        except ImportError:
            raise HandlerError(406, "application/x-npy needs numpy, which this Python lacks")
        buf = io.BytesIO()
        numpy.save(buf, numpy.asarray(value), allow_pickle=False)
        return buf.getvalue(), "application/x-npy"
    raise HandlerError(406, "unsupported accept %r (supported: application/json, text/csv, application/x-npy)" % media)


# ---------------------------------------------------------------------------------------------
# the user's script


def _script_path(model_dir):
    program = os.environ.get("SAGEMAKER_PROGRAM")
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY")
    if program:
        base = submit if submit and os.path.isdir(submit) else os.path.join(model_dir, "code")
        return os.path.join(base, program)
    default = os.path.join(model_dir, "code", "inference.py")
    return default if os.path.exists(default) else None


def load_handlers(model_dir):
    path = _script_path(model_dir)
    module = None
    if path is not None:
        if not os.path.exists(path):
            raise SystemExit("sagespec model server: the inference script %s does not exist" % path)
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location("inference", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

    def get(name, default):
        return getattr(module, name, default) if module is not None else default

    return {
        "model_fn": get("model_fn", default_model_fn),
        "input_fn": get("input_fn", default_input_fn),
        "predict_fn": get("predict_fn", default_predict_fn),
        "output_fn": get("output_fn", default_output_fn),
        "transform_fn": get("transform_fn", None),
    }


def _encode(result, accept):
    body, content_type = result if isinstance(result, tuple) else (result, _media(accept) or "application/json")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return bytes(body), content_type


# ---------------------------------------------------------------------------------------------
# server


def _log(text):
    """A line on stderr; an endpoint outlives the command that started it, and with it its pipes."""
    try:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def make_handler(handlers, model):
    params = json.dumps(
        {
            "MaxConcurrentTransforms": int(os.environ.get("SAGESPEC_MAX_CONCURRENT_TRANSFORMS", os.cpu_count() or 1)),
            "BatchStrategy": os.environ.get("SAGESPEC_BATCH_STRATEGY", "MULTI_RECORD"),
            "MaxPayloadInMB": int(os.environ.get("SAGESPEC_MAX_PAYLOAD_IN_MB", "6")),
        }
    ).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the gateway's agent expects
        disable_nagle_algorithm = True  # small answers go out at once, not after the ACK delay
        wbufsize = 64 * 1024  # headers and a small body in one send; flushed after each request

        def log_message(self, fmt, *args):  # quiet: a line per request would drown the logs
            pass

        def _send(self, status, body, content_type="text/plain"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/ping":
                return self._send(200, b"")
            if self.path == "/execution-parameters":
                return self._send(200, params, "application/json")
            self._send(404, b"not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path != "/invocations":
                return self._send(404, b"not found")
            content_type = self.headers.get("Content-Type")
            accept = self.headers.get("Accept")
            try:
                if handlers["transform_fn"] is not None:
                    result = handlers["transform_fn"](model, body, content_type, accept)
                else:
                    data = handlers["input_fn"](body, content_type)
                    prediction = handlers["predict_fn"](data, model)
                    result = handlers["output_fn"](prediction, accept)
                out, out_type = _encode(result, accept)
                self._send(200, out, out_type)
            except HandlerError as e:
                self._send(e.status, str(e).encode("utf-8"))
            except Exception as e:  # the user's handler failed: the caller sees it as a ModelError
                _log(traceback.format_exc())
                self._send(500, ("%s: %s" % (type(e).__name__, e)).encode("utf-8"))

    return Handler


def main():
    model_dir = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
    handlers = load_handlers(model_dir)
    model = None
    try:
        model = handlers["model_fn"](model_dir)
    except HandlerError as e:
        # A transform_fn may do without a model; everything else needs one before serving.
        if handlers["transform_fn"] is None:
            raise SystemExit("sagespec model server: %s" % e)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(handlers, model))
    server.daemon_threads = True
    server.handle_error = lambda request, address: _log(traceback.format_exc())
    try:
        print("sagespec model server: %s loaded, listening on 127.0.0.1:%d" % (model_dir, server.server_address[1]), flush=True)
    except OSError:
        pass
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
