"""Serve the classifier trained by train.py: the PyTorch serving container calls these functions.

Requests and replies are NumPy arrays (application/x-npy), the PyTorch predictor's default format:
rows of features in, one class index per row out.
"""
import io
import os

import numpy as np
import torch
from torch import nn


def model_fn(model_dir):
    saved = torch.load(os.path.join(model_dir, "model.pt"), map_location="cpu")
    model = nn.Sequential(nn.Linear(saved["inputs"], saved["hidden"]), nn.ReLU(), nn.Linear(saved["hidden"], saved["classes"]))
    model.load_state_dict(saved["state"])
    return model.eval()


def input_fn(body, content_type):
    if content_type != "application/x-npy":
        raise ValueError(f"unsupported content type {content_type}")
    return torch.tensor(np.load(io.BytesIO(body)), dtype=torch.float32)


def predict_fn(data, model):
    with torch.no_grad():
        return model(data).argmax(dim=1).numpy().astype(np.int32)


def output_fn(prediction, accept):
    buffer = io.BytesIO()
    np.save(buffer, prediction)
    return buffer.getvalue()
