"""``/api/employers``: the clients projects were delivered for (permission codes 43xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from application import ManageEmployers, MediaStorage
from domain import Action, Employer, Resource
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, Field, Form, Reference, Text
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter
from entrypoints.http.presenters import employer_data
from entrypoints.http.schemas import EmployerData, EmployerPage
from entrypoints.http.shared_objects import SharedObjectEndpoints

EMPLOYER_FORM = Form(
    name="Employer",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        Field(
            "description",
            "description",
            Text(max_length=5000, blank=True),
            nullable=True,
        ),
        Field("image", "image_id", Reference(), nullable=True, description="A media id."),
    ),
    read_only=frozenset({"id", "image_data"}),
)


class EmployerEndpoints(SharedObjectEndpoints[Employer, EmployerData, EmployerPage]):
    """Employers for the handlers."""

    def __init__(self, manage_employers: ManageEmployers, media_storage: MediaStorage) -> None:
        super().__init__(
            manage_employers, media_storage, EMPLOYER_FORM, employer_data, EmployerPage
        )


_INVALID: FieldErrors = {"name": ["employer with this name already exists."]}


class EmployerController(Controller):
    """List, create, read, replace, change and delete employers."""

    path = "/api/employers"
    tags = ["employers"]
    request_max_body_size = JSON_BODY_LIMIT

    @get(
        "/",
        opt=permission(Resource.EMPLOYERS, Action.LIST),
        summary="List employers",
        description="By id, 20 a page; `?search=` looks in the name. Permission 4301.",
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_employers(
        self,
        request: Request[Any, Any, Any],
        employer_endpoints: Injected[EmployerEndpoints],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> EmployerPage:
        """A page of employers."""
        return await employer_endpoints.list(request, search, page, page_size)

    @post(
        "/",
        opt=permission(Resource.EMPLOYERS, Action.CREATE),
        summary="Create an employer",
        description="Permission 4303.",
        operation_class=with_body(EMPLOYER_FORM, partial=False),
        responses=responses(413, fields=_INVALID),
    )
    async def create_employer(
        self, request: Request[Any, Any, Any], employer_endpoints: Injected[EmployerEndpoints]
    ) -> EmployerData:
        """A new employer."""
        return await employer_endpoints.create(request)

    @get(
        "/{employer_id:str}",
        opt=permission(Resource.EMPLOYERS, Action.RETRIEVE),
        summary="Retrieve an employer",
        description="Permission 4302.",
        responses=responses(404),
    )
    async def retrieve_employer(
        self,
        request: Request[Any, Any, Any],
        employer_id: FromPath[str],
        employer_endpoints: Injected[EmployerEndpoints],
    ) -> EmployerData:
        """One employer."""
        return await employer_endpoints.retrieve(request, employer_id)

    @put(
        "/{employer_id:str}",
        opt=permission(Resource.EMPLOYERS, Action.UPDATE),
        summary="Replace an employer",
        description="The whole employer; fields left out take their defaults. Permission 4304.",
        operation_class=with_body(EMPLOYER_FORM, partial=False),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def replace_employer(
        self,
        request: Request[Any, Any, Any],
        employer_id: FromPath[str],
        employer_endpoints: Injected[EmployerEndpoints],
    ) -> EmployerData:
        """The employer, replaced."""
        return await employer_endpoints.replace(request, employer_id)

    @patch(
        "/{employer_id:str}",
        opt=permission(Resource.EMPLOYERS, Action.UPDATE),
        summary="Change an employer",
        description="Only the fields sent change. Permission 4304.",
        operation_class=with_body(EMPLOYER_FORM, partial=True),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def update_employer(
        self,
        request: Request[Any, Any, Any],
        employer_id: FromPath[str],
        employer_endpoints: Injected[EmployerEndpoints],
    ) -> EmployerData:
        """The employer, changed."""
        return await employer_endpoints.update(request, employer_id)

    @delete(
        "/{employer_id:str}",
        opt=permission(Resource.EMPLOYERS, Action.DELETE),
        summary="Delete an employer",
        description="Refused (409) while a portfolio names the employer. Permission 4305.",
        responses=responses(404, 409),
    )
    async def delete_employer(
        self, employer_id: FromPath[str], employer_endpoints: Injected[EmployerEndpoints]
    ) -> None:
        """Remove the employer."""
        await employer_endpoints.delete(employer_id)
